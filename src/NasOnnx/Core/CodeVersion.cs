namespace NasOnnx.Core;

/// <summary>The version of the library's code that the lock records for every stage and reports and cards name.</summary>
public static class CodeVersion
{
    /// <summary>Changes whenever the library's code changes (deterministic builds keep it stable otherwise).</summary>
    public static string Current { get; } = typeof(CodeVersion).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
}

namespace NasOnnx.Core;

/// <summary>The version of the library's code that the lock records for every stage and reports and cards name.</summary>
public static class CodeVersion
{
    /// <summary>Changes whenever the library's code (or its packages, build settings or compiler) changes, and only then:
    /// the build is deterministic, leaves the clone's folder out (PathMap) and the commit id out of the library.</summary>
    public static string Current { get; } = typeof(CodeVersion).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
}

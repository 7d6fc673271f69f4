namespace NasOnnx.Core;

/// <summary>
/// A stage's params, typed, and the errors that name where they came from: what strategies and other services read
/// their settings through, so that they do not depend on the pipeline (the pipeline's StageContext implements it).
/// </summary>
public interface IParamReader
{
    /// <summary>Every param of the stage, with defaults filled in (values: long, double, bool, string, long[] or null).</summary>
    IReadOnlyDictionary<string, object?> Params { get; }

    /// <summary>The stage the params belong to, for error messages.</summary>
    string StageName { get; }

    /// <summary>The file the params were written in, for error messages.</summary>
    string PipelineFile { get; }

    long Int(string name);
    double Float(string name);
    bool Bool(string name);
    string? String(string name);
    string RequiredString(string name);
    long[] IntList(string name);

    /// <summary>An error naming the stage (and <paramref name="file"/>, when given) with what to do about it.</summary>
    NasOnnxException Error(string message, string? fix = null, string? file = null);
}

namespace NasOnnx.Pipeline;

/// <summary>Where something was written in a pipeline file, for error messages.</summary>
public readonly record struct SourceSpot(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>A raw parameter value as written in the file (a scalar string or a list of scalars), with its position.</summary>
public sealed record RawParam(object Value, SourceSpot Spot);

/// <summary>One stage as declared: a unique name, a kind, params and named inputs that refer to earlier stages.</summary>
public sealed record StageDefinition(
    string Name,
    string Kind,
    IReadOnlyDictionary<string, RawParam> Params,
    IReadOnlyDictionary<string, string> Inputs,
    SourceSpot Spot);

/// <summary>A parsed, validated pipeline file.</summary>
public sealed record PipelineDefinition(
    string Name,
    long Seed,
    IReadOnlyDictionary<string, RawParam> Defaults,
    IReadOnlyList<StageDefinition> Stages,
    string SourcePath)
{
    public StageDefinition Stage(string name) =>
        Stages.FirstOrDefault(s => s.Name == name)
        ?? throw new NasOnnxException($"the pipeline has no stage named '{name}'",
            $"use one of: {string.Join(", ", Stages.Select(s => s.Name))}") { FilePath = SourcePath };
}

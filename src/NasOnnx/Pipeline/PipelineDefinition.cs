namespace NasOnnx.Pipeline;

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

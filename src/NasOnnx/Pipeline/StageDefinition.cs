namespace NasOnnx.Pipeline;

/// <summary>
/// One stage as declared: a unique name, a kind, params and named inputs that refer to earlier stages; with
/// <see cref="Resources"/> its work runs as a Slurm job asking for them.
/// </summary>
public sealed record StageDefinition(
    string Name,
    string Kind,
    IReadOnlyDictionary<string, RawParam> Params,
    IReadOnlyDictionary<string, string> Inputs,
    SourceSpot Spot,
    Search.Execution.SlurmResources? Resources = null);

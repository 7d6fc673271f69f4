using System.Text.Json;

namespace NasOnnx.Artifacts;

/// <summary>What the lock records about one completed stage (DVC-style): what went in, what came out.</summary>
public sealed class StageLock
{
    public string Kind { get; set; } = "";
    /// <summary>Hash over everything below except outputs: equal keys mean the stage would compute the same thing.</summary>
    public string Key { get; set; } = "";
    public string Code { get; set; } = "";
    public long Seed { get; set; }
    public SortedDictionary<string, JsonElement> Params { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Dependencies { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Inputs { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The `--set` overrides of the run that computed this stage and applied to it (not part of the key:
    /// their effect is already in <see cref="Params"/>); the report turns them back into the command that reproduces the run.</summary>
    public List<string> Sets { get; set; } = [];
    public SortedDictionary<string, string> Outputs { get; set; } = new(StringComparer.Ordinal);
    public string OutputsHash { get; set; } = "";
    public DateTimeOffset Completed { get; set; }
    /// <summary>The libtorch numerics configuration in force while the stage ran (null for stages that never started
    /// libtorch); not part of the key, so a machine that needs the safe configuration reuses results made without it.</summary>
    public string? Numerics { get; set; }
    public double Seconds { get; set; }
}

using NasOnnx.Supernets;

namespace NasOnnx.Search.OneShot;

/// <summary>What a one-shot search keeps between epochs besides tensors.</summary>
public sealed record OneShotProgress
{
    public required string Strategy { get; init; }
    public required string Space { get; init; }
    public int EpochsDone { get; init; }
    public List<SearchEpoch> History { get; init; } = [];
    /// <summary>The architecture weights after each epoch (alphas.csv is written from these).</summary>
    public List<ArchSnapshot> Snapshots { get; init; } = [];
}

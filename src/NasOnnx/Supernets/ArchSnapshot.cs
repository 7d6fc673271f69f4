namespace NasOnnx.Supernets;

/// <summary>Plain numbers of the architecture weights (raw logits), for search.json, checkpoints and derive.</summary>
public sealed record ArchSnapshot
{
    public Dictionary<string, double[][]> Alphas { get; init; } = [];
    public Dictionary<string, double[]> Betas { get; init; } = [];
}

namespace NasOnnx.Supernets;

/// <summary>
/// One alpha group's share of a supernet's expected latency: per row (edge or layer) and choice, the calibrated ms
/// that choice adds. <see cref="Nodes"/> set (DARTS): rows are grouped by the node they enter, of which a derived cell
/// keeps <see cref="KeepPerNode"/>; see <see cref="ExpectedLatency"/> for how those rows combine.
/// </summary>
public sealed record GroupLatency(string Group, double[][] Ms)
{
    /// <summary>DARTS: (first row, row count) of each node's incoming edges; null: every row is one decision.</summary>
    public IReadOnlyList<(int Start, int Count)>? Nodes { get; init; }
    /// <summary>DARTS: edges a derived node keeps.</summary>
    public int KeepPerNode { get; init; } = 2;
    /// <summary>DARTS: the column of 'none'.</summary>
    public int NoneChoice { get; init; } = -1;
    /// <summary>PC-DARTS: the beta group whose per-node softmax weighs the edges (as derive does).</summary>
    public string? BetaGroup { get; init; }
}

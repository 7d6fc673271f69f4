using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Ops;
using NasOnnx.Supernets;
using NasOnnx.Spaces;

namespace NasOnnx.Spaces.Nb201;

/// <summary>The NAS-Bench-201 space: network, latency split, supernet with one alpha row per edge shared by every cell.</summary>
public sealed class Nb201Plugin : ISpacePlugin, ISupernetSupport
{
    public string Name => Nb201Space.SpaceName;
    public string Description => "NAS-Bench-201 cell (5 ops on 6 edges, 15,625 cells) in its residual skeleton";

    public ISearchSpace Create(SpaceOptions options) => new Nb201Space(options);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new Nb201Network((Nb201Architecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => new Nb201LatencyModel((Nb201Space)space, batch);

    public ISupernetSupport? Supernet => this;

    public bool TryScale(JsonObject config, int width, int cells)
    {
        if (width > 0) config["width"] = width;
        if (cells > 0) config["cells_per_stage"] = cells;
        return true;
    }

    public Supernet Build(ISearchSpace space, int partialK, int seed) => new Nb201Supernet((Nb201Space)space, seed);

    /// <summary>
    /// Argmax per edge with the skip cap. A banned skip becomes the strongest op other than 'none': the cap exists to put
    /// computation where the search drifted to a parameter-free shortcut, and cutting the edge instead can leave the cell's
    /// output node with only 'none' inputs (a cell that outputs zeros), which is what a collapsed search measured here would have produced.
    /// </summary>
    public IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options) =>
        ((Nb201Space)space).FromChoices(AlphaDerivation.ArgmaxCapped(AlphaDerivation.Probabilities(weights, "cell"), Nb201Space.Ops,
            CellOps.SkipConnect, CellOps.None, options.MaxSkip));

    /// <summary>Row e of group "cell" is decision e (shared by every cell; the table's entries already sum over the cells).</summary>
    public ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor)
    {
        var space = (Nb201Space)supernet.Space;
        var rows = supernet.Arch.Alpha("cell").Rows;
        for (int e = 0; e < Math.Min(rows.Count, space.Decisions.Count); e++)
            // row names "{to}<-{from}", decision names "edge{to}<-{from}", both in Nb201Architecture.EdgeOrder
            if (space.Decisions[e].Name != "edge" + rows[e]) throw Supernets.ExpectedLatency.Mismatch(supernet, $"edge row {rows[e]} against decision {space.Decisions[e].Name}");
        return Supernets.ExpectedLatency.ForDecisionRows(supernet, predictor.ChoiceLatencies(), [("cell", [.. Enumerable.Range(0, space.Decisions.Count)])]);
    }
}

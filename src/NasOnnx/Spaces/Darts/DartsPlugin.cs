using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Spaces;

namespace NasOnnx.Spaces.Darts;

/// <summary>The DARTS cell space: evaluation network, latency split, supernet (with partial channels), derivation.</summary>
public sealed class DartsPlugin : ISpacePlugin, ISupernetSupport
{
    public string Name => DartsSpace.SpaceName;
    public string Description => "DARTS cells (8 ops, normal + reduction cell, 4 nodes x 2 edges)";

    public ISearchSpace Create(SpaceOptions options) => new DartsSpace(options);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new DartsNetwork((DartsArchitecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => new DartsLatencyModel((DartsSpace)space, batch);

    public ISupernetSupport? Supernet => this;

    public bool PartialChannels => true;

    public bool TryScale(JsonObject config, int width, int cells)
    {
        if (width > 0) config["width"] = width;
        if (cells > 0) config["cells"] = cells;
        return true;
    }

    public Supernet Build(ISearchSpace space, int partialK, int seed) => new DartsSupernet((DartsSpace)space, partialK, seed);

    public IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options) => DartsDerivation.Derive((DartsSpace)space, weights, options);

    /// <summary>
    /// The supernet's 14 edges x 8 ops per cell type do not map onto the space's decisions (input pair, op_a, op_b over 7
    /// ops), so the table is split per supernet edge (<see cref="DartsLatencyModel.EdgeChoices"/>: normal edges, then
    /// reduction edges), and each node's rows are combined as a derived node keeps 2 of them (see <see cref="Supernets.ExpectedLatency"/>).
    /// </summary>
    public ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor)
    {
        var space = (DartsSpace)supernet.Space;
        var edges = predictor.ChoiceLatencies(new DartsLatencyModel(space, predictor.Table.Fingerprint.Batch).EdgeChoices());
        var names = new[] { "normal", "reduce" };
        int rows = DartsSupernet.Edges;
        if (edges.Ms.Length != names.Length * rows) throw Supernets.ExpectedLatency.Mismatch(supernet, $"{edges.Ms.Length} edge rows in the table, {names.Length * rows} expected");
        var nodes = Enumerable.Range(0, DartsArchitecture.Nodes).Select(n => (DartsSupernet.EdgeIndex(n, 0), n + 2)).ToArray();
        var groups = new List<GroupLatency>();
        for (int c = 0; c < names.Length; c++)
        {
            var g = supernet.Arch.Alpha(names[c]);
            if (!g.Choices.SequenceEqual(DartsSpace.Ops) || g.Rows.Count != rows || !g.Rows.SequenceEqual(DartsSupernet.EdgeNames))
                throw Supernets.ExpectedLatency.Mismatch(supernet, $"group '{g.Name}' is not {rows} edges over the DARTS ops");
            var ms = edges.Ms.Skip(c * rows).Take(rows).ToArray();
            if (ms.Any(r => r.Length != g.Choices.Count)) throw Supernets.ExpectedLatency.Mismatch(supernet, $"group '{g.Name}' has {g.Choices.Count} ops, the table rows do not");
            groups.Add(new GroupLatency(g.Name, ms)
            {
                Nodes = nodes,
                NoneChoice = DartsSpace.NoneIndex,
                BetaGroup = supernet.Arch.Beta(g.Name + "_beta")?.Name,
            });
        }
        return new ExpectedLatency(edges.FixedMs, groups);
    }
}

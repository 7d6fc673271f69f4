using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Ops;

namespace NasOnnx.Spaces.Nb201;

/// <summary>
/// NAS-Bench-201: stem, 3 stages of N cells (6 edge ops each, node sums as Adds), 2 residual reductions, BN + ReLU,
/// classifier. Prediction follows the graph ONNX Runtime runs: a node whose edges are all 'none' costs its zero op, and
/// nodes the cell output does not use still cost (ORT keeps them); the same pool on the same node twice costs once (ORT's
/// common-subexpression elimination). The per-choice split charges one Add per
/// non-'none' edge and removes one Add per node from the fixed part (exact unless a node has no live edge).
/// </summary>
public sealed class Nb201LatencyModel(Nb201Space space, int batch) : LatencyModelBase(batch)
{
    public override string Space => Nb201Space.SpaceName;
    public override string Coverage => "nb201: stem, every edge op (none, skip, conv 1x1, conv 3x3, avg pool) at each stage's width and resolution, node Adds, both residual reductions, BN+ReLU and the classifier; per-choice split is exact except for nodes without a live edge and pools that ORT merges (same pool on the same node).";

    /// <summary>The fixed ops (stem, residual reductions, BN + ReLU, classifier) and the stages, from the config's layout.</summary>
    private (List<OpInstance> Fixed, List<(int C, int R)> Stages) Skeleton(Nb201Config cfg, InputShape input, int classes)
    {
        var layout = Nb201Layout.Stages(cfg, input.Height);
        var fixedOps = new List<OpInstance> { ConvBnOp(input.Channels, layout[0].Width, 3, 1, input.Height, false, Activation.None) };
        for (int s = 1; s < layout.Count; s++)
        {
            var (from, to) = (layout[s - 1], layout[s]);
            fixedOps.Add(new OpInstance(new OpKey("residual_reduction", S(from.Width, from.Resolution), S(to.Width, to.Resolution), "s2"), () => new ResidualReduction(from.Width, to.Width)));
        }
        var last = layout[^1];
        fixedOps.Add(new OpInstance(new OpKey("bn_relu", S(last.Width, last.Resolution), S(last.Width, last.Resolution), ""), () => new BnRelu(last.Width)));
        fixedOps.Add(Head(last.Width, last.Resolution, classes));
        return (fixedOps, layout.Select(st => (st.Width, st.Resolution)).ToList());
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not Nb201Architecture arch) throw WrongSpace(architecture);
        var (fixedOps, stages) = Skeleton(arch.Config, arch.Input, arch.Classes);
        var result = new List<OpInstance>(fixedOps);
        // Every emitted node costs: ONNX Runtime keeps nodes whose values nothing uses (checked on its optimized graph),
        // and a node whose edges are all 'none' emits its first edge's zero op. Weight-free ops (pool, zero) applied to
        // the same node twice run once: ORT's common-subexpression elimination merges them.
        foreach (var (c, r) in stages)
            for (int cell = 0; cell < arch.Config.CellsPerStage; cell++)
            {
                var weightFree = new HashSet<(string, int)>();
                for (int to = 1; to <= 3; to++)
                {
                    var all = Enumerable.Range(0, to).Select(from => Nb201Architecture.Index(to, from)).ToArray();
                    var live = all.Where(e => arch.Edges[e] != CellOps.None).ToArray();
                    var emitted = live.Length > 0 ? live : all.Take(1).ToArray();
                    foreach (int e in emitted)
                        if (!WeightFree(arch.Edges[e]) || weightFree.Add((arch.Edges[e], Nb201Architecture.EdgeOrder[e].From)))
                            result.Add(CellOp(arch.Edges[e], c, r, 1));
                    for (int i = 1; i < emitted.Length; i++) result.Add(Add(c, r));
                }
            }
        return result;
    }

    private static bool WeightFree(string op) => op is CellOps.AvgPool3x3 or CellOps.MaxPool3x3 or CellOps.None;

    public override ChoiceInstances Choices()
    {
        var (fixedOps, stages) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        int n = space.Config.CellsPerStage;
        // k live edges into a node need k-1 Adds: each non-'none' choice pays one Add, the fixed part returns one per node.
        var fixedWeighted = fixedOps.Select(o => (o, 1.0)).Concat(stages.Select(st => (Add(st.C, st.R), -3.0 * n))).ToList();
        var per = new List<IReadOnlyList<IReadOnlyList<(OpInstance, double)>>>();
        foreach (var d in space.Decisions)
            per.Add(d.Choices.Select(op => (IReadOnlyList<(OpInstance, double)>)stages.SelectMany(st =>
                op == CellOps.None ? [] : new[] { (CellOp(op, st.C, st.R, 1), (double)n), (Add(st.C, st.R), (double)n) }).ToArray()).ToArray());
        return new ChoiceInstances(fixedWeighted, per);
    }

    protected override IEnumerable<OpInstance> ExtraCandidates()
    {
        var (_, stages) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        return stages.Select(st => CellOp(CellOps.None, st.C, st.R, 1));
    }
}

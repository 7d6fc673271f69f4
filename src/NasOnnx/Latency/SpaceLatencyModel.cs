using NasOnnx.Ops;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Macro;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>
/// How a space's networks decompose into table entries: every op an architecture's network runs (its latency
/// predicted as their sum), every op any architecture of the space can run (what profiling measures), and the
/// per-decision split used for an expected latency in one-shot search.
/// </summary>
public interface ISpaceLatencyModel
{
    string Space { get; }

    /// <summary>What the table covers and where the decomposition is approximate.</summary>
    string Coverage { get; }

    /// <summary>The ops of the architecture's network, in execution order.</summary>
    IReadOnlyList<OpInstance> Instances(IArchitecture architecture);

    /// <summary>Every op any architecture of the space can run (deduplicated by key).</summary>
    IReadOnlyList<OpInstance> Candidates();

    /// <summary>Fixed ops and, per decision of <see cref="IDecisionSpace.Decisions"/> and choice, the weighted ops that choice adds.</summary>
    ChoiceInstances Choices();
}

/// <summary>Latency models by space.</summary>
public static class SpaceLatencyModels
{
    public static IReadOnlyList<string> Supported { get; } = [ChainSpace.SpaceName, Nb201Space.SpaceName, DartsSpace.SpaceName, MacroSpace.SpaceName];

    public static ISpaceLatencyModel For(ISearchSpace space, int batch) => space switch
    {
        ChainSpace c => new ChainLatencyModel(c, batch),
        Nb201Space n => new Nb201LatencyModel(n, batch),
        DartsSpace d => new DartsLatencyModel(d, batch),
        MacroSpace m => new MacroLatencyModel(m, batch),
        _ => throw new NasOnnxException($"No latency lookup table for the '{space.Name}' space yet.", $"Use one of: {string.Join(", ", Supported)}; measure '{space.Name}' models whole with the benchmark stage."),
    };

    internal static int Out(int r, int stride) => (r - 1) / stride + 1;

    internal static OpInstance Dedupe(Dictionary<string, OpInstance> seen, OpInstance op)
    {
        if (seen.TryGetValue(op.Key.Id, out var existing)) return existing;
        seen[op.Key.Id] = op;
        return op;
    }
}

internal abstract class LatencyModelBase(int batch) : ISpaceLatencyModel
{
    protected int Batch { get; } = batch;
    public abstract string Space { get; }
    public abstract string Coverage { get; }
    public abstract IReadOnlyList<OpInstance> Instances(IArchitecture architecture);
    public abstract ChoiceInstances Choices();

    public virtual IReadOnlyList<OpInstance> Candidates()
    {
        var seen = new Dictionary<string, OpInstance>(StringComparer.Ordinal);
        var c = Choices();
        foreach (var (op, _) in c.Fixed) SpaceLatencyModels.Dedupe(seen, op);
        foreach (var d in c.PerChoice) foreach (var ch in d) foreach (var (op, _) in ch) SpaceLatencyModels.Dedupe(seen, op);
        foreach (var op in ExtraCandidates()) SpaceLatencyModels.Dedupe(seen, op);
        return seen.Values.ToArray();
    }

    protected virtual IEnumerable<OpInstance> ExtraCandidates() => [];

    protected string S(int c, int r) => OpKey.Shape(Batch, c, r, r);

    protected OpInstance ConvBnOp(int cin, int cout, int k, int stride, int r, bool preRelu, Activation act, string op = "conv_bn") =>
        new(new OpKey(op, S(cin, r), S(cout, SpaceLatencyModels.Out(r, stride)), $"k{k}_s{stride}_p{k / 2}{(preRelu ? "_prerelu" : "")}{(act == Activation.None ? "" : "_" + act.ToString().ToLowerInvariant())}"),
            () => new ConvBn(new Onnx.ConvSpec(cin, cout, k, stride, k / 2), preRelu: preRelu, act: act));

    protected OpInstance Head(int c, int r, int classes) =>
        new(new OpKey("classifier", S(c, r), OpKey.Shape(Batch, classes), "gap_flatten_gemm"), () => new ClassifierHead(c, classes));

    protected OpInstance Add(int c, int r) => new(new OpKey("add", S(c, r), S(c, r), "2"), () => new AddNode());

    protected OpInstance CellOp(string op, int c, int r, int stride) =>
        new(new OpKey(op, S(c, r), S(c, SpaceLatencyModels.Out(r, stride)), $"s{stride}"), () => CellOps.Create(op, c, stride),
            emitsNothing: op == CellOps.SkipConnect && stride == 1);
}

/// <summary>Chain: stem, one MBConv (or skip) per layer, head conv, classifier. Exact decomposition: every layer decision maps to one entry.</summary>
internal sealed class ChainLatencyModel(ChainSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => ChainSpace.SpaceName;
    public override string Coverage => "chain: stem conv, every MBConv k3/5/7 e3/6 at every layer's input shape and stride, skip (0, no node), head 1x1 conv and the classifier; a layer decision is exactly one entry.";

    private OpInstance Layer(string op, int cin, int cout, int stride, int r)
    {
        if (op == ChainSpace.Skip) return new OpInstance(new OpKey("skip", S(cin, r), S(cout, r), "identity"), () => new IdentityOp(), emitsNothing: true);
        var (k, e) = ChainSpace.ParseMb(op);
        return new OpInstance(new OpKey("mbconv", S(cin, r), S(cout, SpaceLatencyModels.Out(r, stride)), $"k{k}_e{e}_s{stride}"), () => new MBConv(cin, cout, k, e, stride));
    }

    private (List<OpInstance> Fixed, List<(int Cin, int Cout, int Stride, int R)> Layers) Skeleton(ChainConfig cfg, InputShape input, int classes)
    {
        int r = input.Height;
        var fixedOps = new List<OpInstance> { ConvBnOp(input.Channels, cfg.StemWidth, 3, 1, r, false, Activation.Relu6) };
        var layers = new List<(int, int, int, int)>();
        foreach (var (cin, cout, stride) in cfg.LayerShapes())
        {
            layers.Add((cin, cout, stride, r));
            r = SpaceLatencyModels.Out(r, stride);
        }
        int last = layers.Count > 0 ? layers[^1].Item2 : cfg.StemWidth;
        fixedOps.Add(ConvBnOp(last, cfg.HeadWidth, 1, 1, r, false, Activation.Relu6));
        fixedOps.Add(Head(cfg.HeadWidth, r, classes));
        return (fixedOps, layers);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not ChainArchitecture arch) throw WrongSpace(architecture);
        var (fixedOps, layers) = Skeleton(arch.Config, arch.Input, arch.Classes);
        var result = new List<OpInstance> { fixedOps[0] };
        for (int i = 0; i < layers.Count; i++) result.Add(Layer(arch.Layers[i], layers[i].Cin, layers[i].Cout, layers[i].Stride, layers[i].R));
        result.AddRange(fixedOps.Skip(1));
        return result;
    }

    public override ChoiceInstances Choices()
    {
        var (fixedOps, layers) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        var per = space.Decisions.Select((d, i) => (IReadOnlyList<IReadOnlyList<(OpInstance, double)>>)d.Choices
            .Select(op => (IReadOnlyList<(OpInstance, double)>)[(Layer(op, layers[i].Cin, layers[i].Cout, layers[i].Stride, layers[i].R), 1.0)]).ToArray()).ToArray();
        return new ChoiceInstances(fixedOps.Select(o => (o, 1.0)).ToArray(), per);
    }

    internal static NasOnnxException WrongSpace(IArchitecture a) =>
        new($"Architecture {a.ArchId} belongs to space '{a.Space}'; this latency table is for another space.", "Use the table profiled for the architecture's space.");
}

/// <summary>
/// NAS-Bench-201: stem, 3 stages of N cells (6 edge ops each, node sums as Adds), 2 residual reductions, BN + ReLU,
/// classifier. Prediction follows the graph ONNX Runtime runs: a node whose edges are all 'none' costs its zero op, and
/// nodes the cell output does not use still cost (ORT keeps them); the same pool on the same node twice costs once (ORT's
/// common-subexpression elimination). The per-choice split charges one Add per
/// non-'none' edge and removes one Add per node from the fixed part (exact unless a node has no live edge).
/// </summary>
internal sealed class Nb201LatencyModel(Nb201Space space, int batch) : LatencyModelBase(batch)
{
    public override string Space => Nb201Space.SpaceName;
    public override string Coverage => "nb201: stem, every edge op (none, skip, conv 1x1, conv 3x3, avg pool) at each stage's width and resolution, node Adds, both residual reductions, BN+ReLU and the classifier; per-choice split is exact except for nodes without a live edge and pools that ORT merges (same pool on the same node).";

    private (List<OpInstance> Fixed, List<(int C, int R)> Stages) Skeleton(Nb201Config cfg, InputShape input, int classes)
    {
        int c = cfg.Width, r = input.Height;
        var fixedOps = new List<OpInstance> { ConvBnOp(input.Channels, c, 3, 1, r, false, Activation.None) };
        var stages = new List<(int, int)>();
        for (int s = 0; s < 3; s++)
        {
            if (s > 0)
            {
                int cin = c, rin = r;
                fixedOps.Add(new OpInstance(new OpKey("residual_reduction", S(cin, rin), S(2 * cin, rin / 2), "s2"), () => new ResidualReduction(cin, 2 * cin)));
                c *= 2;
                r /= 2;
            }
            stages.Add((c, r));
        }
        int cl = c, rl = r;
        fixedOps.Add(new OpInstance(new OpKey("bn_relu", S(cl, rl), S(cl, rl), ""), () => new BnRelu(cl)));
        fixedOps.Add(Head(c, r, classes));
        return (fixedOps, stages);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not Nb201Architecture arch) throw ChainLatencyModel.WrongSpace(architecture);
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

/// <summary>
/// DARTS evaluation network: stem, cells (two preprocessing convs, 8 edge ops, 4 node Adds, a Concat), classifier.
/// Prediction counts every emitted op once, except the same pool on the same state (merged by ORT). Per-choice split: exact for normal cells and the first node of
/// reduction cells; for later reduction-cell nodes an op's stride depends on the input decision (stride 2 on the
/// cell inputs), so its entry is the average over that node's input pairs, and the input decision carries 0.
/// </summary>
internal sealed class DartsLatencyModel(DartsSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => DartsSpace.SpaceName;
    public override string Coverage => "darts: stem, both preprocessing ops of every cell, every edge op (pools, skip/factorized reduce, sep and dil convs) at each cell's width, resolution and stride, node Adds, the cell Concat and the classifier; per-choice split averages the stride over input pairs in reduction cells.";

    private sealed record CellShape(int Index, bool Reduction, OpInstance Pre0, OpInstance Pre1, int C, int RIn, int ROut);

    private (List<OpInstance> Fixed, List<CellShape> Cells) Skeleton(DartsConfig cfg, InputShape input, int classes)
    {
        int c0 = cfg.Width, r = input.Height;
        var fixedOps = new List<OpInstance> { ConvBnOp(input.Channels, 3 * c0, 3, 1, r, false, Activation.None) };
        int cpp = 3 * c0, cp = 3 * c0, cur = c0, rpp = r, rp = r;
        bool reductionPrev = false;
        var reductions = DartsArchitecture.ReductionCells(cfg.Cells);
        var cells = new List<CellShape>();
        for (int i = 0; i < cfg.Cells; i++)
        {
            bool reduction = reductions.Contains(i);
            if (reduction) cur *= 2;
            int c = cur, inPP = cpp, inP = cp, resPP = rpp;
            OpInstance pre0 = reductionPrev
                ? new OpInstance(new OpKey("factorized_reduce", S(inPP, resPP), S(c, SpaceLatencyModels.Out(resPP, 2)), "s2"), () => new FactorizedReduce(inPP, c))
                : ConvBnOp(inPP, c, 1, 1, resPP, true, Activation.None);
            OpInstance pre1 = ConvBnOp(inP, c, 1, 1, rp, true, Activation.None);
            int rOut = reduction ? SpaceLatencyModels.Out(rp, 2) : rp;
            cells.Add(new CellShape(i, reduction, pre0, pre1, c, rp, rOut));
            reductionPrev = reduction;
            (cpp, cp) = (cp, DartsArchitecture.Nodes * cur);
            (rpp, rp) = (rp, rOut);
        }
        fixedOps.Add(Head(cp, rp, classes));
        return (fixedOps, cells);
    }

    private OpInstance Edge(CellShape cell, string op, int input) =>
        cell.Reduction && input < 2 ? CellOp(op, cell.C, cell.RIn, 2) : CellOp(op, cell.C, cell.ROut, 1);

    private OpInstance Concat(CellShape cell) =>
        new(new OpKey("concat", S(cell.C, cell.ROut), S(DartsArchitecture.Nodes * cell.C, cell.ROut), "parts4"), () => new ConcatNode(DartsArchitecture.Nodes));

    private IEnumerable<OpInstance> CellFixed(CellShape cell)
    {
        yield return cell.Pre0;
        yield return cell.Pre1;
        for (int node = 0; node < DartsArchitecture.Nodes; node++) yield return Add(cell.C, cell.ROut);
        yield return Concat(cell);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not DartsArchitecture arch) throw ChainLatencyModel.WrongSpace(architecture);
        var (fixedOps, cells) = Skeleton(arch.Config, arch.Input, arch.Classes);
        var result = new List<OpInstance> { fixedOps[0] };
        foreach (var cell in cells)
        {
            result.AddRange(CellFixed(cell));
            var weightFree = new HashSet<(string, int)>(); // the same pool on the same state runs once (ORT's CSE)
            foreach (var e in cell.Reduction ? arch.Reduce : arch.Normal)
                if (e.Op is not (CellOps.MaxPool3x3 or CellOps.AvgPool3x3) || weightFree.Add((e.Op, e.Input)))
                    result.Add(Edge(cell, e.Op, e.Input));
        }
        result.Add(fixedOps[^1]);
        return result;
    }

    public override ChoiceInstances Choices()
    {
        var (fixedOps, cells) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        var fixedWeighted = fixedOps.Select(o => (o, 1.0)).Concat(cells.SelectMany(CellFixed).Select(o => (o, 1.0))).ToList();
        var per = new List<IReadOnlyList<IReadOnlyList<(OpInstance, double)>>>();
        foreach (var d in space.Decisions)
        {
            // names: "{normal|reduce}.node{n}.{inputs|op_a|op_b}"
            var parts = d.Name.Split('.');
            bool reduction = parts[0] == "reduce";
            int node = int.Parse(parts[1][4..], System.Globalization.CultureInfo.InvariantCulture);
            var pairs = Enumerable.Range(0, node + 2).SelectMany(a => Enumerable.Range(a + 1, node + 1 - a).Select(b => (A: a, B: b))).ToArray();
            var mine = cells.Where(c => c.Reduction == reduction).ToArray();
            if (parts[2] == "inputs")
            {
                per.Add(d.Choices.Select(_ => (IReadOnlyList<(OpInstance, double)>)[]).ToArray());
                continue;
            }
            bool first = parts[2] == "op_a";
            per.Add(d.Choices.Select(op => (IReadOnlyList<(OpInstance, double)>)mine.SelectMany(cell =>
                pairs.GroupBy(p => Edge(cell, op, first ? p.A : p.B).Key.Id)
                     .Select(g => (Edge(cell, op, first ? g.First().A : g.First().B), (double)g.Count() / pairs.Length))).ToArray()).ToArray());
        }
        return new ChoiceInstances(fixedWeighted, per);
    }

    /// <summary>
    /// The split per supernet edge instead of per decision, for the DARTS supernet's expected latency: rows are the
    /// normal cell's edges, then the reduction cell's, each in (node, input) order (node 0 from states 0, 1; node 1 from
    /// 0, 1, 2; ...), choices in <see cref="DartsSpace.Ops"/> order, 'none' adding nothing; an entry sums over the cells
    /// of its type. An edge knows its input, so reduction-cell ops carry their real stride (no average over input pairs,
    /// unlike <see cref="Choices"/>). The fixed part is that of <see cref="Choices"/>.
    /// </summary>
    public ChoiceInstances EdgeChoices()
    {
        var (fixedOps, cells) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        var fixedWeighted = fixedOps.Select(o => (o, 1.0)).Concat(cells.SelectMany(CellFixed).Select(o => (o, 1.0))).ToList();
        var per = new List<IReadOnlyList<IReadOnlyList<(OpInstance, double)>>>();
        foreach (bool reduction in new[] { false, true })
        {
            var mine = cells.Where(c => c.Reduction == reduction).ToArray();
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
                for (int input = 0; input < node + 2; input++)
                {
                    int j = input;
                    per.Add(DartsSpace.Ops.Select(op => (IReadOnlyList<(OpInstance, double)>)(op == CellOps.None
                        ? []
                        : mine.Select(cell => (Edge(cell, op, j), 1.0)).ToArray())).ToArray());
                }
        }
        return new ChoiceInstances(fixedWeighted, per);
    }
}

/// <summary>
/// Macro: stem, per layer a conv (kernel, width, stride) or a pool, one projection (1x1 conv, strided) or identity
/// plus an Add per skip connection, classifier. <see cref="ISpaceLatencyModel.Instances"/> is exact over the emitted
/// graph. The decisions interact (a layer's width is the next layer's input, the depth moves the reductions), so
/// there is no per-choice split: one-shot search over this space is not supported, multi-trial uses PredictMs.
/// </summary>
internal sealed class MacroLatencyModel(MacroSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => MacroSpace.SpaceName;
    public override string Coverage => "macro: stem, every conv (1x1/3x3/5x5, every allowed in and out width, stride 1 and 2) and pool at every depth's layer resolutions, every skip projection (width pair, 1-4x downsampling) with its Add, and the classifier; no per-choice split (decisions interact).";

    private IEnumerable<OpInstance> Layer(string op, int prev, int width, int stride, int r) =>
        op.StartsWith("conv_", StringComparison.Ordinal)
            ? [ConvBnOp(prev, width, op[5] - '0', stride, r, false, Activation.Relu)]
            : [CellOp(op, prev, r, stride)];

    private IEnumerable<OpInstance> Skip(int from, int width, int reductions, int rFrom, int rOut)
    {
        if (from != width || reductions != 0) yield return ConvBnOp(from, width, 1, 1 << reductions, rFrom, false, Activation.None);
        yield return Add(width, rOut);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not MacroArchitecture arch) throw ChainLatencyModel.WrongSpace(architecture);
        var cfg = arch.Config;
        int r = arch.Input.Height, prev = cfg.StemWidth, reduced = 0;
        var result = new List<OpInstance> { ConvBnOp(arch.Input.Channels, cfg.StemWidth, 3, 1, r, false, Activation.Relu) };
        var reductions = MacroConfig.Reductions(arch.Layers.Count);
        var widths = new List<int>();
        var res = new List<int>();
        var reducedBy = new List<int>();
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            int stride = reductions.Contains(i) ? 2 : 1;
            if (stride == 2) reduced++;
            int width = l.IsConv ? l.Width : prev;
            int rOut = SpaceLatencyModels.Out(r, stride);
            result.AddRange(Layer(l.Op, prev, width, stride, r));
            foreach (int j in l.Skips) result.AddRange(Skip(widths[j], width, reduced - reducedBy[j], res[j], rOut));
            widths.Add(width);
            res.Add(rOut);
            reducedBy.Add(reduced);
            prev = width;
            r = rOut;
        }
        result.Add(Head(prev, r, arch.Classes));
        return result;
    }

    public override ChoiceInstances Choices() =>
        throw new NasOnnxException("The macro space has no per-decision latency split: a layer's width is the next layer's input and the depth moves the reductions.",
            "Use LatencyPredictor.PredictMs per architecture (multi-trial search), or a chain/nb201/darts space for one-shot search.");

    public override IReadOnlyList<OpInstance> Candidates()
    {
        var cfg = space.Config;
        var seen = new Dictionary<string, OpInstance>(StringComparer.Ordinal);
        void Put(OpInstance op) => SpaceLatencyModels.Dedupe(seen, op);
        var input = space.Options.Input;
        int r0 = input.Height;
        Put(ConvBnOp(input.Channels, cfg.StemWidth, 3, 1, r0, false, Activation.Relu));
        int[] all = [.. cfg.Widths.Append(cfg.StemWidth).Distinct()];
        for (int depth = cfg.MinDepth; depth <= cfg.MaxDepth; depth++)
        {
            var reductions = MacroConfig.Reductions(depth);
            var rIn = new int[depth];
            var rOut = new int[depth];
            var reducedAfter = new int[depth];
            int r = r0, reduced = 0;
            for (int i = 0; i < depth; i++)
            {
                int stride = reductions.Contains(i) ? 2 : 1;
                if (stride == 2) reduced++;
                rIn[i] = r;
                rOut[i] = SpaceLatencyModels.Out(r, stride);
                reducedAfter[i] = reduced;
                r = rOut[i];
            }
            for (int i = 0; i < depth; i++)
            {
                int stride = reductions.Contains(i) ? 2 : 1;
                foreach (int prev in i == 0 ? [cfg.StemWidth] : all)
                {
                    foreach (var op in MacroSpace.Ops)
                        foreach (int width in op.StartsWith("conv_", StringComparison.Ordinal) ? cfg.Widths : [prev])
                            foreach (var o in Layer(op, prev, width, stride, rIn[i])) Put(o);
                }
                for (int j = 0; j < i; j++)
                    foreach (int from in all)
                        foreach (int width in all)
                            foreach (var o in Skip(from, width, reducedAfter[i] - reducedAfter[j], rOut[j], rOut[i])) Put(o);
                if (i == depth - 1)
                    foreach (int width in all) Put(Head(width, rOut[i], space.Options.Classes));
            }
        }
        return seen.Values.ToArray();
    }
}

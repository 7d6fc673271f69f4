using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Ops;

namespace NasOnnx.Spaces.Darts;

/// <summary>
/// DARTS evaluation network: stem, cells (two preprocessing convs, 8 edge ops, 4 node Adds, a Concat), classifier.
/// Prediction counts every emitted op once, except the same pool on the same state (merged by ORT). Per-choice split: exact for normal cells and the first node of
/// reduction cells; for later reduction-cell nodes an op's stride depends on the input decision (stride 2 on the
/// cell inputs), so its entry is the average over that node's input pairs, and the input decision carries 0.
/// </summary>
public sealed class DartsLatencyModel(DartsSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => DartsSpace.SpaceName;
    public override string Coverage => "darts: stem, both preprocessing ops of every cell, every edge op (pools, skip/factorized reduce, sep and dil convs) at each cell's width, resolution and stride, node Adds, the cell Concat and the classifier; per-choice split averages the stride over input pairs in reduction cells.";

    /// <summary>A cell of the layout with its two preprocessing ops.</summary>
    private sealed record CellShape(int Index, bool Reduction, OpInstance Pre0, OpInstance Pre1, int C, int RIn, int ROut);

    /// <summary>The fixed ops (stem, classifier) and the cells with their preprocessing ops, from the config's layout.</summary>
    private (List<OpInstance> Fixed, List<CellShape> Cells) Skeleton(DartsConfig cfg, InputShape input, int classes)
    {
        var layout = DartsLayout.Of(cfg, input.Height);
        var fixedOps = new List<OpInstance> { ConvBnOp(input.Channels, layout.StemWidth, 3, 1, input.Height, false, Activation.None) };
        var cells = new List<CellShape>();
        foreach (var l in layout.Cells)
        {
            int inPP = l.InPrevPrev, c = l.C;
            OpInstance pre0 = l.ReductionPrev
                ? new OpInstance(new OpKey("factorized_reduce", S(inPP, l.ResolutionPrevPrev), S(c, Out(l.ResolutionPrevPrev, 2)), "s2"), () => new FactorizedReduce(inPP, c))
                : ConvBnOp(inPP, c, 1, 1, l.ResolutionPrevPrev, true, Activation.None);
            OpInstance pre1 = ConvBnOp(l.InPrev, c, 1, 1, l.ResolutionIn, true, Activation.None);
            cells.Add(new CellShape(l.Index, l.Reduction, pre0, pre1, c, l.ResolutionIn, l.ResolutionOut));
        }
        fixedOps.Add(Head(layout.OutChannels, layout.OutResolution, classes));
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
        if (architecture is not DartsArchitecture arch) throw WrongSpace(architecture);
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

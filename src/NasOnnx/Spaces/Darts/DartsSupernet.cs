using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Ops;
using NasOnnx.Architectures;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Darts;

/// <summary>
/// The DARTS search network: stem conv 3C + BN, cells (reductions at 1/3 and 2/3), each with 4 nodes fed by all
/// earlier states through 14 mixed edges over the 8 ops (affine-free BN, pooling followed by BN as in DARTS),
/// GAP and a linear classifier. Alpha groups "normal" and "reduce" (14 x 8); with partial channels (K &gt; 1) also
/// edge-normalization betas "normal_beta" and "reduce_beta" (14).
/// </summary>
public sealed class DartsSupernet : Supernet
{
    public const int Edges = 14;

    private readonly ConvBn stem;
    private readonly ModuleList<DartsSearchCell> cells = new();
    private readonly Linear classifier;
    private readonly bool[] _reduction;

    public DartsSupernet(DartsSpace space, int partialK = 1, int seed = 0) : base(nameof(DartsSupernet), space)
    {
        var o = space.Options;
        var layout = DartsLayout.Of(space.Config, o.Resolution);
        PartialK = partialK;
        stem = new ConvBn(new ConvSpec(o.Channels, layout.StemWidth, 3, 1, 1));
        _reduction = layout.Cells.Select(cell => cell.Reduction).ToArray();
        foreach (var cell in layout.Cells)
            cells.Add(new DartsSearchCell(cell.InPrevPrev, cell.InPrev, cell.C, cell.Reduction, cell.ReductionPrev, partialK));
        classifier = nn.Linear(layout.OutChannels, o.Classes);
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        var gen = new Generator((ulong)seed + 1);
        foreach (var name in new[] { "normal", "reduce" })
        {
            Arch.AddAlpha(name, EdgeNames, DartsSpace.Ops, gen);
            if (partialK > 1) Arch.AddBeta(name + "_beta", EdgeNames, gen);
        }
    }

    public int PartialK { get; }

    /// <summary>Edge e of node i from state j (0, 1: cell inputs; 2..: nodes) is row <see cref="EdgeIndex"/>(i, j).</summary>
    public static int EdgeIndex(int node, int input) => node * (node + 3) / 2 + input;

    public static IReadOnlyList<string> EdgeNames { get; } =
        [.. from node in Enumerable.Range(0, DartsArchitecture.Nodes) from input in Enumerable.Range(0, node + 2) select $"node{node}<-{input}"];

    public override Tensor forward(Tensor x)
    {
        var sel = Select();
        Tensor[]? normalBeta = Mode == SupernetMode.Weighted ? NodeBetas("normal_beta") : null;
        Tensor[]? reduceBeta = Mode == SupernetMode.Weighted ? NodeBetas("reduce_beta") : null;
        var s0 = stem.call(x);
        var s1 = s0;
        for (int i = 0; i < cells.Count; i++)
        {
            bool r = _reduction[i];
            Tensor next;
            using (torch.NewDisposeScope()) // the cell's intermediate handles go; autograd keeps what backward needs
                next = cells[i].Run(s0, s1, r ? sel["reduce"] : sel["normal"], r ? reduceBeta : normalBeta).MoveToOuterDisposeScope();
            (s0, s1) = (s1, next);
        }
        return classifier.call(nn.functional.adaptive_avg_pool2d(s1, 1).flatten(1));
    }

    /// <summary>Per node, softmax over its incoming edges' betas (null without partial channels).</summary>
    private Tensor[]? NodeBetas(string name)
    {
        if (Arch.Beta(name) is not { } b) return null;
        var result = new Tensor[DartsArchitecture.Nodes];
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
            result[node] = nn.functional.softmax(b.Logits.narrow(0, EdgeIndex(node, 0), node + 2), 0);
        return result;
    }

    public override Dictionary<string, int[]> PathOf(IArchitecture architecture)
    {
        var a = architecture as DartsArchitecture ?? throw new ArgumentException("not a DARTS architecture", nameof(architecture));
        return new Dictionary<string, int[]> { ["normal"] = Rows(a.Normal), ["reduce"] = Rows(a.Reduce) };

        static int[] Rows(IReadOnlyList<DartsEdge> edges)
        {
            var rows = Enumerable.Repeat(-1, Edges).ToArray();
            for (int i = 0; i < edges.Count; i++)
                rows[EdgeIndex(i / 2, edges[i].Input)] = DartsSpace.Ops.ToList().IndexOf(edges[i].Op);
            return rows;
        }
    }

    /// <summary>The op factory of DARTS search cells: CellOps (affine-free), 'none' not built, pooling + BN.</summary>
    internal static OpModule? Build(string op, long channels, long stride) => op switch
    {
        CellOps.None => null,
        CellOps.MaxPool3x3 or CellOps.AvgPool3x3 => new PoolBn(CellOps.Create(op, channels, stride, affine: false), channels),
        _ => CellOps.Create(op, channels, stride, affine: false),
    };
}

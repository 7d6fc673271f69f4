using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Nb201;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Supernets;

/// <summary>
/// NAS-Bench-201's skeleton with one shared searched cell: 6 mixed edges over the 5 ops (affine-free BN); residual
/// reductions as in the discrete network. Alpha group "cell" (6 x 5).
/// </summary>
public sealed class Nb201Supernet : Supernet
{
    private readonly ConvBn stem;
    private readonly ModuleList<nn.Module> cells = new();
    private readonly BatchNorm2d lastact;
    private readonly Linear classifier;

    public Nb201Supernet(Nb201Space space, int seed = 0) : base(nameof(Nb201Supernet), space)
    {
        var o = space.Options;
        long c = space.Config.Width;
        stem = new ConvBn(new ConvSpec(o.Channels, c, 3, 1, 1));
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                cells.Add(new ResidualReduction(c, 2 * c));
                c *= 2;
            }
            for (int i = 0; i < space.Config.CellsPerStage; i++) cells.Add(new Nb201SearchCell(c));
        }
        lastact = nn.BatchNorm2d(c);
        classifier = nn.Linear(c, o.Classes);
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        Arch.AddAlpha("cell", Nb201Architecture.EdgeOrder.Select(e => $"{e.To}<-{e.From}").ToArray(), Nb201Space.Ops, new Generator((ulong)seed + 1));
    }

    public override Tensor forward(Tensor x)
    {
        var sel = Select()["cell"];
        x = stem.call(x);
        foreach (var cell in cells)
            using (torch.NewDisposeScope())
                x = (cell is Nb201SearchCell sc ? sc.Run(x, sel) : ((ResidualReduction)cell).call(x)).MoveToOuterDisposeScope();
        return classifier.call(nn.functional.adaptive_avg_pool2d(nn.functional.relu(lastact.call(x)), 1).flatten(1));
    }

    public override Dictionary<string, int[]> PathOf(IArchitecture architecture)
    {
        var a = architecture as Nb201Architecture ?? throw new ArgumentException("not a NAS-Bench-201 architecture", nameof(architecture));
        return new Dictionary<string, int[]> { ["cell"] = a.Edges.Select(e => Nb201Space.Ops.ToList().IndexOf(e)).ToArray() };
    }
}

/// <summary>A NAS-Bench-201 search cell: node j = sum over i &lt; j of mixed edge (j, i) on node i.</summary>
public sealed class Nb201SearchCell : nn.Module
{
    private readonly ModuleList<MixedEdge> edges = new();

    public Nb201SearchCell(long c) : base(nameof(Nb201SearchCell))
    {
        foreach (var _ in Nb201Architecture.EdgeOrder)
            edges.Add(new MixedEdge(Nb201Space.Ops, (op, ch) => op == CellOps.None ? null : CellOps.Create(op, ch, 1, affine: false), c, 1));
        RegisterComponents();
    }

    public Tensor Run(Tensor x, EdgeSelection[] sel)
    {
        var nodes = new List<Tensor> { x };
        for (int to = 1; to <= 3; to++)
        {
            Tensor? sum = null;
            for (int from = 0; from < to; from++)
            {
                int e = Nb201Architecture.Index(to, from);
                sum = Supernet.Accumulate(sum, edges[e].Run(nodes[from], sel[e]));
            }
            nodes.Add(sum ?? torch.zeros_like(x));
        }
        return nodes[3];
    }
}

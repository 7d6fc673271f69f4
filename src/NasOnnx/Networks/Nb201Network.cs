using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces.Nb201;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

/// <summary>
/// NAS-Bench-201's skeleton: stem conv C + BN; N cells at C; residual reduction to 2C; N cells; reduction to 4C;
/// N cells; BN + ReLU; GAP; linear.
/// </summary>
public sealed class Nb201Network : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<OpModule> cells = new();
    private readonly BatchNorm2d lastact;
    private readonly Linear classifier;

    public Nb201Network(Nb201Architecture arch) : base(nameof(Nb201Network), arch)
    {
        long c = arch.Config.Width;
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, c, 3, 1, 1));
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                cells.Add(new ResidualReduction(c, 2 * c));
                c *= 2;
            }
            for (int i = 0; i < arch.Config.CellsPerStage; i++) cells.Add(new Nb201Cell(arch.Edges, c));
        }
        lastact = nn.BatchNorm2d(c);
        classifier = nn.Linear(c, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        foreach (var cell in cells) x = cell.call(x);
        return Classify(nn.functional.relu(lastact.call(x)), classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = stem.EmitOnnx(g, input, "stem");
        for (int i = 0; i < cells.Count; i++) x = cells[i].EmitOnnx(g, x, $"cells.{i}");
        x = g.Relu(g.BatchNorm(x, lastact, "lastact"), "lastact.relu");
        return EmitClassify(g, x, classifier);
    }
}

/// <summary>A NAS-Bench-201 cell: node j = sum over i &lt; j of op_ji(node i); 'none' edges add nothing (a node whose
/// edges are all 'none' is zero).</summary>
public sealed class Nb201Cell : OpModule
{
    private readonly ModuleList<OpModule> edges = new();
    private readonly string[] _ops;

    public Nb201Cell(IReadOnlyList<string> ops, long c) : base(nameof(Nb201Cell))
    {
        _ops = ops.ToArray();
        foreach (var op in ops) edges.Add(CellOps.Create(op, c, 1));
        RegisterComponents();
    }

    private IEnumerable<int> Incoming(int to)
    {
        var all = Enumerable.Range(0, to).Select(from => Nb201Architecture.Index(to, from)).ToArray();
        var live = all.Where(e => _ops[e] != CellOps.None).ToArray();
        return live.Length > 0 ? live : all.Take(1);
    }

    public override Tensor forward(Tensor x)
    {
        var nodes = new List<Tensor> { x };
        for (int to = 1; to <= 3; to++)
        {
            Tensor? sum = null;
            foreach (int e in Incoming(to))
            {
                var h = edges[e].call(nodes[Nb201Architecture.EdgeOrder[e].From]);
                sum = sum is null ? h : sum.add(h);
            }
            nodes.Add(sum!);
        }
        return nodes[3];
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        var nodes = new List<string> { input };
        for (int to = 1; to <= 3; to++)
        {
            var terms = Incoming(to).Select(e => edges[e].EmitOnnx(g, nodes[Nb201Architecture.EdgeOrder[e].From], $"{name}.edges.{e}")).ToArray();
            nodes.Add(g.Sum(terms, $"{name}.node{to}"));
        }
        return nodes[3];
    }
}

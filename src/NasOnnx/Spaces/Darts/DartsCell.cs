using NasOnnx.Runtime;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Darts;

/// <summary>A derived DARTS cell: preprocess both inputs to C channels, 4 nodes of 2 edges each, concat of the nodes.</summary>
public sealed class DartsCell : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly OpModule preprocess0, preprocess1;
    private readonly ModuleList<OpModule> ops = new();
    private readonly int[] _inputs;
    private readonly bool[] _identity;

    /// <summary>Drop-path probability for the non-identity ops in training (0: off).</summary>
    public double DropPathProbability { get; set; }

    public DartsCell(IReadOnlyList<DartsEdge> edges, long cpp, long cp, long c, bool reduction, bool reductionPrev) : base(nameof(DartsCell))
    {
        preprocess0 = reductionPrev ? new FactorizedReduce(cpp, c) : new ConvBn(new ConvSpec(cpp, c, 1), preRelu: true);
        preprocess1 = new ConvBn(new ConvSpec(cp, c, 1), preRelu: true);
        _inputs = edges.Select(e => e.Input).ToArray();
        foreach (var e in edges) ops.Add(CellOps.Create(e.Op, c, reduction && e.Input < 2 ? 2 : 1));
        // As in DARTS: drop-path spares identity ops (a stride-1 skip_connect), whose path is the input itself.
        _identity = edges.Select(e => e.Op == "skip_connect" && !(reduction && e.Input < 2)).ToArray();
        RegisterComponents();
    }

    public override Tensor forward(Tensor s0, Tensor s1)
    {
        var states = new List<Tensor> { preprocess0.call(s0), preprocess1.call(s1) };
        for (int node = 0; node < _inputs.Length / 2; node++)
        {
            var h1 = Path(2 * node, states[_inputs[2 * node]]);
            var h2 = Path(2 * node + 1, states[_inputs[2 * node + 1]]);
            states.Add(h1.Plus(h2));
        }
        return torch.cat(states.Skip(2).ToArray(), 1);
    }

    private Tensor Path(int op, Tensor input)
    {
        var h = ops[op].call(input);
        return _identity[op] ? h : DropPath.Apply(h, DropPathProbability, training);
    }

    public string EmitOnnx(OnnxGraphBuilder g, string s0, string s1, string name)
    {
        var states = new List<string> { preprocess0.EmitOnnx(g, s0, name + ".preprocess0"), preprocess1.EmitOnnx(g, s1, name + ".preprocess1") };
        for (int node = 0; node < _inputs.Length / 2; node++)
        {
            string h1 = ops[2 * node].EmitOnnx(g, states[_inputs[2 * node]], $"{name}.ops.{2 * node}");
            string h2 = ops[2 * node + 1].EmitOnnx(g, states[_inputs[2 * node + 1]], $"{name}.ops.{2 * node + 1}");
            states.Add(g.Add(h1, h2, $"{name}.node{node}"));
        }
        return g.Concat(states.Skip(2).ToArray(), name + ".concat");
    }
}

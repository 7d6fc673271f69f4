using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces.Darts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

/// <summary>DARTS' evaluation network (no auxiliary head, no drop-path at inference): stem conv 3C + BN, cells, GAP, linear.</summary>
public sealed class DartsNetwork : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<DartsCell> cells = new();
    private readonly Linear classifier;

    public DartsNetwork(DartsArchitecture arch) : base(nameof(DartsNetwork), arch)
    {
        int c = arch.Config.Width;
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, 3 * c, 3, 1, 1));
        long cpp = 3 * c, cp = 3 * c, cur = c;
        bool reductionPrev = false;
        var reductions = DartsArchitecture.ReductionCells(arch.Config.Cells);
        for (int i = 0; i < arch.Config.Cells; i++)
        {
            bool reduction = reductions.Contains(i);
            if (reduction) cur *= 2;
            cells.Add(new DartsCell(reduction ? arch.Reduce : arch.Normal, cpp, cp, cur, reduction, reductionPrev));
            reductionPrev = reduction;
            (cpp, cp) = (cp, DartsArchitecture.Nodes * cur);
        }
        classifier = nn.Linear(cp, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var s0 = stem.call(x);
        var s1 = s0;
        foreach (var cell in cells) (s0, s1) = (s1, cell.call(s0, s1));
        return Classify(s1, classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string s0 = stem.EmitOnnx(g, input, "stem");
        string s1 = s0;
        for (int i = 0; i < cells.Count; i++) (s0, s1) = (s1, cells[i].EmitOnnx(g, s0, s1, $"cells.{i}"));
        return EmitClassify(g, s1, classifier);
    }
}

/// <summary>A derived DARTS cell: preprocess both inputs to C channels, 4 nodes of 2 edges each, concat of the nodes.</summary>
public sealed class DartsCell : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly OpModule preprocess0, preprocess1;
    private readonly ModuleList<OpModule> ops = new();
    private readonly int[] _inputs;

    public DartsCell(IReadOnlyList<DartsEdge> edges, long cpp, long cp, long c, bool reduction, bool reductionPrev) : base(nameof(DartsCell))
    {
        preprocess0 = reductionPrev ? new FactorizedReduce(cpp, c) : new ConvBn(new ConvSpec(cpp, c, 1), preRelu: true);
        preprocess1 = new ConvBn(new ConvSpec(cp, c, 1), preRelu: true);
        _inputs = edges.Select(e => e.Input).ToArray();
        foreach (var e in edges) ops.Add(CellOps.Create(e.Op, c, reduction && e.Input < 2 ? 2 : 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor s0, Tensor s1)
    {
        var states = new List<Tensor> { preprocess0.call(s0), preprocess1.call(s1) };
        for (int node = 0; node < _inputs.Length / 2; node++)
        {
            var h1 = ops[2 * node].call(states[_inputs[2 * node]]);
            var h2 = ops[2 * node + 1].call(states[_inputs[2 * node + 1]]);
            states.Add(h1.add(h2));
        }
        return torch.cat(states.Skip(2).ToArray(), 1);
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

using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces.Darts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

/// <summary>
/// DARTS' evaluation network: stem conv 3C + BN, cells, GAP, linear. In training, drop-path can be applied to
/// every non-identity op (raised linearly over the epochs, <see cref="IEpochAware"/>); the auxiliary head of the
/// DARTS recipe lives outside it (<see cref="AuxiliaryTraining"/>) so that the saved weights and the ONNX file
/// hold exactly the inference network.
/// </summary>
public sealed class DartsNetwork : NasNetwork, Training.IEpochAware
{
    private readonly ConvBn stem;
    private readonly ModuleList<DartsCell> cells = new();
    private readonly Linear classifier;
    private readonly List<long> _channelsAfter = [];

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
            _channelsAfter.Add(cp);
        }
        classifier = nn.Linear(cp, arch.Classes);
        RegisterComponents();
        AuxiliaryChannels = _channelsAfter[AuxiliaryCell];
    }

    public override Tensor forward(Tensor x) => ForwardWithFeature(x, -1).Logits;

    /// <summary>Index of the cell whose output feeds the auxiliary head: the second reduction cell (at 2/3 depth), as in DARTS.</summary>
    public int AuxiliaryCell => DartsArchitecture.ReductionCells(cells.Count).DefaultIfEmpty(cells.Count - 1).Max();

    /// <summary>Channels of <see cref="AuxiliaryCell"/>'s output.</summary>
    public long AuxiliaryChannels { get; private set; }

    /// <summary>The logits and the output of cell <paramref name="featureCell"/> (null when -1).</summary>
    public (Tensor Logits, Tensor? Feature) ForwardWithFeature(Tensor x, int featureCell)
    {
        var s0 = stem.call(x);
        var s1 = s0;
        Tensor? feature = null;
        for (int i = 0; i < cells.Count; i++)
        {
            (s0, s1) = (s1, cells[i].call(s0, s1));
            if (i == featureCell) feature = s1;
        }
        return (Classify(s1, classifier), feature);
    }

    public void OnEpochStart(int epoch, int epochs, Training.TrainingRecipe recipe)
    {
        double p = recipe.DropPath * epoch / Math.Max(1, epochs);
        foreach (var cell in cells) cell.DropPathProbability = p;
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
            states.Add(h1.add(h2));
        }
        return torch.cat(states.Skip(2).ToArray(), 1);
    }

    private Tensor Path(int op, Tensor input)
    {
        var h = ops[op].call(input);
        return _identity[op] ? h : Training.DropPath.Apply(h, DropPathProbability, training);
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

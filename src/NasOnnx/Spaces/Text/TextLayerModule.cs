using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>One layer of a text network: its op on the input node, plus the skip nodes, then LayerNorm and the mask.</summary>
public sealed class TextLayerModule : nn.Module
{
    private readonly SequenceOp op;
    private readonly SequenceLayerNorm norm;

    public TextLayerModule(TextOp kind, TextConfig config) : base(nameof(TextLayerModule))
    {
        op = kind.Build(config);
        norm = new SequenceLayerNorm(config.Width);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, IEnumerable<Tensor> skips, SequenceMask mask)
    {
        var y = op.Forward(x, mask);
        foreach (var s in skips) y = y.Plus(s);
        return norm.Forward(y, mask);
    }

    public string Emit(OnnxGraphBuilder g, string x, IEnumerable<string> skips, OnnxSequenceMask mask, string name)
    {
        string y = op.Emit(g, x, mask, name + ".op");
        foreach (var s in skips) y = g.Add(y, s, name + ".skip");
        return norm.Emit(g, y, mask, name + ".norm");
    }
}

using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>LayerNorm over the channels (eps 1e-5, affine); with a mask, then multiplied by it so padded positions are exactly 0.</summary>
public sealed class SequenceLayerNorm : SequenceOp
{
    private readonly LayerNorm norm;

    public SequenceLayerNorm(long channels) : base(nameof(SequenceLayerNorm))
    {
        norm = nn.LayerNorm(channels);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, SequenceMask? mask)
    {
        var y = norm.call(x);
        return mask is null ? y : y.mul(mask.Weights);
    }

    public override string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        string y = SequenceOnnx.LayerNorm(g, x, norm, name);
        return mask is null ? y : g.Node("Mul", [y, mask.Weights], name + ".masked");
    }
}

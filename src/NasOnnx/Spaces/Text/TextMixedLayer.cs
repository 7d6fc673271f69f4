using NasOnnx.Runtime;
using NasOnnx.Ops.Sequence;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// One layer of the text supernet: every op of the space (its allowed ops, in decision order) on the previous node, each through the layer's LayerNorm and the
/// mask, mixed by the edge selection: DARTS sums them weighted by softmax(alpha), GDAS runs the sampled one scaled by its
/// straight-through weight, a single path runs one (off: the layer passes its input on). The LayerNorm comes before the
/// mixing weight because it would cancel any scale put in front of it (GDAS' weight would get no gradient).
/// </summary>
public sealed class TextMixedLayer : nn.Module
{
    private readonly ModuleList<SequenceOp> ops = new();
    private readonly SequenceLayerNorm norm;

    public TextMixedLayer(TextConfig config, IReadOnlyList<TextOp> allowed) : base(nameof(TextMixedLayer))
    {
        // only the space's ops: a left-out op (the GRU, say) costs neither memory nor time, and mixing weight i is choice i
        foreach (var op in allowed) ops.Add(op.Build(config));
        norm = new SequenceLayerNorm(config.Width);
        RegisterComponents();
    }

    public Tensor Run(Tensor x, SequenceMask mask, EdgeSelection sel)
    {
        if (!sel.Active) return x;
        if (sel.Weights is { } w)
        {
            Tensor? acc = null;
            for (int i = 0; i < ops.Count; i++)
            {
                var y = norm.Forward(ops[i].Forward(x, mask), mask).mul(w[i]);
                acc = acc is null ? y : acc.Plus(y);
            }
            return acc!;
        }
        var one = norm.Forward(ops[sel.Index].Forward(x, mask), mask);
        return sel.Scale is null ? one : one.mul(sel.Scale);
    }
}

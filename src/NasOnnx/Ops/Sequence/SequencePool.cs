using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// Max or average pooling over the sequence, kernel 3, stride 1, padding 1 (same length). Padded positions take no part:
/// max pooling sees -inf there (as beyond the ends), average pooling divides the sum of real neighbours by their count;
/// the output is 0 at padded positions. Without a mask: max_pool1d, and avg_pool1d without the padding in the count.
/// </summary>
public sealed class SequencePool : SequenceOp
{
    private const long Kernel = 3;
    private readonly PoolKind _kind;

    public SequencePool(PoolKind kind) : base(kind + "SequencePool")
    {
        _kind = kind;
        RegisterComponents();
    }

    public PoolKind Kind => _kind;

    public override Tensor Forward(Tensor x, SequenceMask? mask)
    {
        if (_kind == PoolKind.Max)
        {
            var input = mask is null ? x : x.masked_fill(mask.Pad, HeldScalars.FloatNegativeInfinity);
            var y = nn.functional.max_pool1d(input.transpose(1, 2), Kernel, 1, Kernel / 2).transpose(1, 2);
            return mask is null ? y : y.masked_fill(mask.Pad, HeldScalars.FloatZero);
        }
        if (mask is null)
            return nn.functional.avg_pool1d(x.transpose(1, 2), Kernel, 1, Kernel / 2, ceil_mode: false, count_include_pad: false).transpose(1, 2);
        // x is 0 at padding: the windowed sum covers the real neighbours only; divide by how many there are
        var sum = nn.functional.avg_pool1d(x.transpose(1, 2), Kernel, 1, Kernel / 2, ceil_mode: false, count_include_pad: true);
        var count = nn.functional.avg_pool1d(mask.Weights.transpose(1, 2), Kernel, 1, Kernel / 2, ceil_mode: false, count_include_pad: true).clamp_min(MinCountScalar);
        return sum.div(count).transpose(1, 2).masked_fill(mask.Pad, HeldScalars.FloatZero);
    }

    /// <summary>Floor of the (scaled) neighbour count: only padded positions, whose output is replaced, can be below it;
    /// it keeps their 0/0 out of the gradient.</summary>
    private const float MinCount = 1e-6f;

    private static readonly Scalar MinCountScalar = MinCount.ToScalar(); // held: see HeldScalars

    public override string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        var poolAttrs = new[] { OnnxGraphBuilder.Ints("kernel_shape", Kernel), OnnxGraphBuilder.Ints("strides", 1), OnnxGraphBuilder.Ints("pads", Kernel / 2, Kernel / 2) };
        if (_kind == PoolKind.Max)
        {
            string input = mask is null ? x : SequenceOnnx.Fill(g, mask.Real, x, float.NegativeInfinity, name + ".masked");
            string t = SequenceOnnx.Transpose(g, input, [0, 2, 1], name + ".ncl");
            string y = SequenceOnnx.Transpose(g, g.Node("MaxPool", [t], name + ".maxpool", poolAttrs), [0, 2, 1], name + ".nlc");
            return mask is null ? y : SequenceOnnx.Fill(g, mask.Real, y, 0f, name + ".out");
        }
        string xt = SequenceOnnx.Transpose(g, x, [0, 2, 1], name + ".ncl");
        if (mask is null)
            return SequenceOnnx.Transpose(g, g.Node("AveragePool", [xt], name + ".avgpool", [.. poolAttrs, OnnxGraphBuilder.Int("count_include_pad", 0)]), [0, 2, 1], name + ".nlc");
        string sum = g.Node("AveragePool", [xt], name + ".sum", [.. poolAttrs, OnnxGraphBuilder.Int("count_include_pad", 1)]);
        string mt = SequenceOnnx.Transpose(g, mask.Weights, [0, 2, 1], name + ".mask_ncl");
        string count = g.Node("Max", [g.Node("AveragePool", [mt], name + ".count", [.. poolAttrs, OnnxGraphBuilder.Int("count_include_pad", 1)]), g.FloatScalar(MinCount)], name + ".count_min");
        string avg = SequenceOnnx.Transpose(g, g.Node("Div", [sum, count], name + ".avg"), [0, 2, 1], name + ".nlc");
        return SequenceOnnx.Fill(g, mask.Real, avg, 0f, name + ".out");
    }
}

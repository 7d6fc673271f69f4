using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// 1-D convolution over the sequence (kernel k, padding k/2, stride 1, same width in and out) with bias, then ReLU. The
/// input is zero at padded positions, so a window reaching past a row's end sees the zeros a shorter sequence's padding
/// would give: real positions do not depend on the amount of padding.
/// </summary>
public sealed class SequenceConv : SequenceOp
{
    private readonly Conv1d conv;
    private readonly long _kernel;

    public SequenceConv(long channels, long kernel) : base(nameof(SequenceConv))
    {
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), "the sequence conv keeps the length: use an odd kernel");
        _kernel = kernel;
        conv = nn.Conv1d(channels, channels, kernel, padding: kernel / 2);
        RegisterComponents();
    }

    public long Kernel => _kernel;

    public override Tensor Forward(Tensor x, SequenceMask? mask) =>
        nn.functional.relu(conv.call(x.transpose(1, 2))).transpose(1, 2);

    public override string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        string t = SequenceOnnx.Transpose(g, x, [0, 2, 1], name + ".ncl");
        var inputs = new List<string> { t, g.AddInitializer(name + ".conv.weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(g.AddInitializer(name + ".conv.bias", conv.bias));
        string y = g.Node("Conv", inputs, name + ".conv",
            OnnxGraphBuilder.Ints("kernel_shape", _kernel), OnnxGraphBuilder.Ints("strides", 1), OnnxGraphBuilder.Ints("pads", _kernel / 2, _kernel / 2),
            OnnxGraphBuilder.Ints("dilations", 1), OnnxGraphBuilder.Int("group", 1));
        return SequenceOnnx.Transpose(g, g.Relu(y, name + ".relu"), [0, 2, 1], name + ".nlc");
    }
}

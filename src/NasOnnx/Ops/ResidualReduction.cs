using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>NAS-Bench-201's reduction block: two ReLUConvBN 3x3 (first strided) plus an AvgPool 2x2 + 1x1 conv shortcut.</summary>
public sealed class ResidualReduction : OpModule
{
    private readonly ConvBn conv_a, conv_b;
    private readonly Conv2d downsample;
    private readonly ConvSpec _down;

    public ResidualReduction(long cin, long cout, bool affine = true) : base(nameof(ResidualReduction))
    {
        conv_a = new ConvBn(new ConvSpec(cin, cout, 3, 2, 1), preRelu: true, affine: affine);
        conv_b = new ConvBn(new ConvSpec(cout, cout, 3, 1, 1), preRelu: true, affine: affine);
        _down = new ConvSpec(cin, cout, 1);
        downsample = _down.Create();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var basic = conv_b.call(conv_a.call(x));
        var shortcut = downsample.call(nn.functional.avg_pool2d(x, 2, 2, 0));
        return shortcut.Plus(basic);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string basic = conv_b.EmitOnnx(g, conv_a.EmitOnnx(g, input, name + ".conv_a"), name + ".conv_b");
        string pooled = g.AvgPool(input, 2, 2, 0, countIncludePad: false, name + ".pool");
        string shortcut = g.Conv(pooled, downsample, _down, name + ".downsample");
        return g.Add(shortcut, basic, name + ".add");
    }
}

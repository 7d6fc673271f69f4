using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>DARTS separable convolution: (ReLU, depthwise k x k, pointwise, BN) twice; only the first is strided.</summary>
public sealed class SepConv : OpModule, IReluFirstOp
{
    private readonly Conv2d dw1, pw1, dw2, pw2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly ConvSpec _dw1, _pw1, _dw2, _pw2;

    public SepConv(long c, long k, long stride, bool affine = true) : base(nameof(SepConv))
    {
        _dw1 = new ConvSpec(c, c, k, stride, k / 2, 1, c);
        _pw1 = new ConvSpec(c, c, 1);
        _dw2 = new ConvSpec(c, c, k, 1, k / 2, 1, c);
        _pw2 = new ConvSpec(c, c, 1);
        dw1 = _dw1.Create(); pw1 = _pw1.Create(); bn1 = nn.BatchNorm2d(c, affine: affine);
        dw2 = _dw2.Create(); pw2 = _pw2.Create(); bn2 = nn.BatchNorm2d(c, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor relued)
    {
        var x = bn1.Normalize(pw1.call(dw1.call(relued)));
        return bn2.Normalize(pw2.call(dw2.call(nn.functional.relu(x))));
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu1");
        x = g.Conv(x, dw1, _dw1, name + ".dw1");
        x = g.Conv(x, pw1, _pw1, name + ".pw1", bn1);
        x = g.Relu(x, name + ".relu2");
        x = g.Conv(x, dw2, _dw2, name + ".dw2");
        return g.Conv(x, pw2, _pw2, name + ".pw2", bn2);
    }
}

using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>DARTS dilated convolution: ReLU, depthwise k x k with dilation 2, pointwise, BN.</summary>
public sealed class DilConv : OpModule, IReluFirstOp
{
    private readonly Conv2d dw, pw;
    private readonly BatchNorm2d bn;
    private readonly ConvSpec _dw, _pw;

    public DilConv(long c, long k, long stride, bool affine = true, long dilation = 2) : base(nameof(DilConv))
    {
        _dw = new ConvSpec(c, c, k, stride, dilation * (k - 1) / 2, dilation, c);
        _pw = new ConvSpec(c, c, 1);
        dw = _dw.Create(); pw = _pw.Create(); bn = nn.BatchNorm2d(c, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor relued) => bn.Normalize(pw.call(dw.call(relued)));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu");
        x = g.Conv(x, dw, _dw, name + ".dw");
        return g.Conv(x, pw, _pw, name + ".pw", bn);
    }
}

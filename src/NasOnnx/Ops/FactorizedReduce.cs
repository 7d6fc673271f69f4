using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>
/// DARTS' factorized reduce: ReLU, two strided 1x1 convolutions (the second shifted by one pixel), concatenated, BN.
/// The shifted branch is padded by one pixel at the bottom/right so odd sizes work too (same values as DARTS for even sizes).
/// </summary>
public sealed class FactorizedReduce : OpModule, IReluFirstOp
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn;
    private readonly ConvSpec _c1, _c2;

    public FactorizedReduce(long cin, long cout, bool affine = true) : base(nameof(FactorizedReduce))
    {
        if (cout % 2 != 0) throw new ArgumentException($"FactorizedReduce needs an even channel count, got {cout}.", nameof(cout));
        _c1 = new ConvSpec(cin, cout / 2, 1, 2);
        _c2 = new ConvSpec(cin, cout / 2, 1, 2);
        conv1 = _c1.Create(); conv2 = _c2.Create(); bn = nn.BatchNorm2d(cout, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor x)
    {
        var shifted = nn.functional.pad(x.slice(2, 1, x.shape[2], 1).slice(3, 1, x.shape[3], 1), (0L, 1L, 0L, 1L));
        return bn.Normalize(torch.cat([conv1.call(x), conv2.call(shifted)], 1));
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu");
        string shifted = g.SliceSpatial(x, 1, 1, name + ".shift");
        long[] pads = [0, 0, 1, 1];
        if (g.FoldBatchNorm)
        {
            string a = g.Conv(x, conv1, _c1, name + ".conv1", bn, 0);
            string b = g.Conv(shifted, conv2, _c2, name + ".conv2", bn, _c1.Out, pads);
            return g.Concat([a, b], name + ".cat");
        }
        string y1 = g.Conv(x, conv1, _c1, name + ".conv1");
        string y2 = g.Conv(shifted, conv2, _c2, name + ".conv2", pads: pads);
        return g.BatchNorm(g.Concat([y1, y2], name + ".cat"), bn, name + ".bn");
    }
}

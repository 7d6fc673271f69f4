using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>
/// [ReLU] -> Conv -> [BatchNorm] -> [activation]. With <c>preRelu</c> it is DARTS' and NAS-Bench-201's ReLUConvBN;
/// without it the usual Conv-BN-ReLU(6) of stems, MBConv and macro layers.
/// </summary>
public sealed class ConvBn : OpModule, IReluFirstOp
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d? bn;
    private readonly ConvSpec _spec;
    private readonly bool _preRelu;
    private readonly Activation _act;

    public ConvBn(ConvSpec spec, bool preRelu = false, Activation act = Activation.None, bool batchNorm = true, bool affine = true)
        : base(nameof(ConvBn))
    {
        _spec = spec;
        _preRelu = preRelu;
        _act = act;
        conv = spec.Create();
        bn = batchNorm ? nn.BatchNorm2d(spec.Out, affine: affine) : null;
        RegisterComponents();
    }

    public ConvSpec Spec => _spec;

    public override Tensor forward(Tensor x) => Body(_preRelu ? nn.functional.relu(x) : x);

    public bool StartsWithRelu => _preRelu;

    public Tensor ForwardAfterRelu(Tensor relued) =>
        _preRelu ? Body(relued) : throw new InvalidOperationException("this ConvBn does not start with a ReLU");

    private Tensor Body(Tensor x)
    {
        x = conv.call(x);
        if (bn is not null) x = bn.Normalize(x);
        return _act.Apply(x);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = _preRelu ? g.Relu(input, name + ".relu_in") : input;
        x = g.Conv(x, conv, _spec, name + ".conv", bn);
        return _act.Emit(g, x, name);
    }
}

using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>Inference BatchNorm (not folded: it follows no convolution) then ReLU, as NAS-Bench-201's last activation.</summary>
public sealed class BnRelu : OpModule
{
    private readonly BatchNorm2d bn;

    public BnRelu(long channels) : base(nameof(BnRelu))
    {
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.Normalize(x));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Relu(g.BatchNorm(input, bn, name + ".bn"), name + ".relu");
}

using NasOnnx.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>
/// The network parts that are not candidate ops but cost time in a whole model (classifier head, BN + ReLU,
/// the Adds and Concats that join cell nodes), as <see cref="OpModule"/>s emitting exactly what the networks emit,
/// so they can be profiled as single-op models like any candidate op.
/// </summary>
public sealed class ClassifierHead : OpModule
{
    private readonly Linear classifier;

    public ClassifierHead(long channels, long classes) : base(nameof(ClassifierHead))
    {
        classifier = nn.Linear(channels, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => classifier.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string pooled = g.GlobalAveragePool(input, name + ".gap");
        return g.Gemm(g.Flatten(pooled, name + ".flatten"), classifier, name + ".classifier");
    }
}

/// <summary>Inference BatchNorm (not folded: it follows no convolution) then ReLU, as NAS-Bench-201's last activation.</summary>
public sealed class BnRelu : OpModule
{
    private readonly BatchNorm2d bn;

    public BnRelu(long channels) : base(nameof(BnRelu))
    {
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.call(x));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Relu(g.BatchNorm(input, bn, name + ".bn"), name + ".relu");
}

/// <summary>The Add joining two same-shaped values (a cell node's sum), measured as x + x.</summary>
public sealed class AddNode : OpModule
{
    public AddNode() : base(nameof(AddNode)) => RegisterComponents();
    public override Tensor forward(Tensor x) => x.add(x);
    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Add(input, input, name + ".add");
}

/// <summary>The channel Concat of <c>parts</c> same-shaped values (a DARTS cell's output).</summary>
public sealed class ConcatNode(int parts) : OpModule(nameof(ConcatNode))
{
    public override Tensor forward(Tensor x) => torch.cat(Enumerable.Repeat(x, parts).ToArray(), 1);
    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Concat(Enumerable.Repeat(input, parts).ToArray(), name + ".concat");
}

using NasOnnx.Ops;
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

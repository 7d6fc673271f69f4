using NasOnnx.Ops;
using NasOnnx.Architectures;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Networks;

/// <summary>
/// A discrete network built from an <see cref="Architecture"/>: a TorchSharp module (input [N, C, H, W],
/// output logits [N, classes]) that can also write itself as ONNX. Parameter names are stable (field names).
/// </summary>
public abstract class NasNetwork : nn.Module<Tensor, Tensor>, IOnnxEmitter
{
    protected NasNetwork(string name, Architecture architecture) : base(name) => Architecture = architecture;

    public Architecture Architecture { get; }

    public abstract string EmitOnnx(OnnxGraphBuilder g, string input, string name);

    /// <summary>Global average pooling, flatten and the classifier: the common head.</summary>
    protected static Tensor Classify(Tensor x, TorchSharp.Modules.Linear classifier) =>
        classifier.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));

    protected static string EmitClassify(OnnxGraphBuilder g, string x, TorchSharp.Modules.Linear classifier)
    {
        string pooled = g.GlobalAveragePool(x, "gap");
        return g.Gemm(g.Flatten(pooled, "flatten"), classifier, "classifier");
    }

    /// <summary>Trainable parameter count.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}

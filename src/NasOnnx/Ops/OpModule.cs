using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>
/// A candidate op: its TorchSharp forward and its ONNX emitter side by side, so a discrete network,
/// a supernet and the exporter all use the same definition.
/// </summary>
public abstract class OpModule : nn.Module<Tensor, Tensor>, IOnnxEmitter
{
    protected OpModule(string name) : base(name) { }

    public abstract string EmitOnnx(OnnxGraphBuilder g, string input, string name);
}

/// <summary>
/// An op whose first step is a ReLU of its input (DARTS' sep/dil convs, ReLUConvBN, factorized reduce). A supernet edge
/// computes that ReLU once and hands it to every such op (<see cref="ForwardAfterRelu"/>), as ReLU(x) is the same for all.
/// </summary>
public interface IReluFirstOp
{
    /// <summary>Whether this instance starts with a ReLU (e.g. ConvBn only with preRelu).</summary>
    bool StartsWithRelu { get; }

    /// <summary>The op's output given relu(x) instead of x; equals forward(x).</summary>
    Tensor ForwardAfterRelu(Tensor relued);
}

/// <summary>Activation after a convolution block.</summary>
public enum Activation { None, Relu, Relu6 }

internal static class OpExtensions
{
    public static Tensor Apply(this Activation act, Tensor x) => act switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Relu6 => nn.functional.relu6(x),
        _ => x,
    };

    public static string Emit(this Activation act, OnnxGraphBuilder g, string x, string hint) => act switch
    {
        Activation.Relu => g.Relu(x, hint + ".relu"),
        Activation.Relu6 => g.Relu6(x, hint + ".relu6"),
        _ => x,
    };
}

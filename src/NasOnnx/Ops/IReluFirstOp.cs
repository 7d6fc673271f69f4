namespace NasOnnx.Ops;

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

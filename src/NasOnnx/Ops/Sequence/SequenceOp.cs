using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// An op over sequences in [N, L, C] layout that keeps the shape. The masked forms (<see cref="Forward"/>, <see cref="Emit"/>)
/// are what text networks run: the input is zero at padded positions, and the output is finite everywhere and, at real
/// positions, independent of how much padding follows (the caller masks the padded positions afterwards). As an
/// <see cref="OpModule"/> (forward, EmitOnnx) the op runs on a full-length input without a mask, which is how the latency
/// profiler builds and measures it alone.
/// </summary>
public abstract class SequenceOp : OpModule
{
    protected SequenceOp(string name) : base(name) { }

    /// <summary>The op on <paramref name="x"/> [N, L, C]; null <paramref name="mask"/>: every position is real.</summary>
    public abstract Tensor Forward(Tensor x, SequenceMask? mask);

    /// <summary>The op's ONNX nodes; null <paramref name="mask"/>: every position is real.</summary>
    public abstract string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name);

    public sealed override Tensor forward(Tensor x) => Forward(x, null);

    public sealed override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => Emit(g, input, null, name);
}

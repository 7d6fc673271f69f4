using NasOnnx.OnnxGraph;
using Onnx;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// The ONNX twin of <see cref="SequenceMask"/>: the same forms as graph values, computed from the int64 token input and
/// emitted on first use (so a graph holds only the forms its ops read), each with the arithmetic TorchSharp uses.
/// </summary>
public sealed class OnnxSequenceMask(OnnxGraphBuilder g, string tokens, string hint = "mask")
{
    private string? _real, _weights, _count, _empty, _lengths, _keyBias;

    public OnnxGraphBuilder Graph => g;

    /// <summary>[N, L, 1] bool: Not(Equal(tokens, 0)).</summary>
    public string Real => _real ??= g.Node("Unsqueeze",
        [g.Node("Not", [g.Node("Equal", [tokens, g.Int64s(SequenceMask.PadId)], hint + ".is_pad")], hint + ".real2d"), g.Int64s(2)], hint + ".real");

    /// <summary>[N, L, 1] float.</summary>
    public string Weights => _weights ??= g.Node("Cast", [Real], hint + ".weights", OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float));

    /// <summary>[N, 1] float.</summary>
    public string Count => _count ??= g.Node("ReduceSum", [Weights, g.Int64s(1)], hint + ".count", OnnxGraphBuilder.Int("keepdims", 0));

    /// <summary>[N, 1] bool.</summary>
    public string Empty => _empty ??= g.Node("LessOrEqual", [Count, g.FloatScalar(0f)], hint + ".empty");

    /// <summary>[N] int32, at least 1: the GRU's sequence_lens.</summary>
    public string Lengths => _lengths ??= g.Node("Cast",
        [SequenceOnnx.Reshape(g, g.Node("Max", [Count, g.FloatScalar(1f)], hint + ".count1"), [-1], hint + ".lengths_f")],
        hint + ".lengths", OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Int32));

    /// <summary>[N, 1, 1, L] float.</summary>
    public string KeyBias => _keyBias ??= g.Node("Unsqueeze",
        [SequenceOnnx.Transpose(g, g.Node("Mul", [g.Node("Sub", [Weights, g.FloatScalar(1f)], hint + ".off"), g.FloatScalar(SequenceMask.KeyPenalty)], hint + ".penalty"), [0, 2, 1], hint + ".penalty_t"),
         g.Int64s(1)], hint + ".key_bias");
}

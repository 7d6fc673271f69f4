using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>ONNX helpers of the sequence ops ([N, L, C] values with symbolic N and L).</summary>
public static class SequenceOnnx
{
    public static string Transpose(OnnxGraphBuilder g, string x, long[] perm, string hint) =>
        g.Node("Transpose", [x], hint, OnnxGraphBuilder.Ints("perm", perm));

    /// <summary>Reshape to <paramref name="shape"/>; 0 copies the input's dimension, -1 is inferred (batch and length stay symbolic).</summary>
    public static string Reshape(OnnxGraphBuilder g, string x, long[] shape, string hint) => g.Node("Reshape", [x, g.Int64s(shape)], hint);

    /// <summary>A Linear layer on the last axis of any rank: MatMul with the transposed weight, then Add of the bias.</summary>
    public static string Linear(OnnxGraphBuilder g, string x, Linear linear, string hint)
    {
        string w = g.AddInitializer(hint + ".weight_t", linear.weight!.t());
        string y = g.Node("MatMul", [x, w], hint + ".matmul");
        return linear.bias is null ? y : g.Node("Add", [y, g.AddInitializer(hint + ".bias", linear.bias)], hint);
    }

    /// <summary>LayerNormalization over the last axis (opset 17).</summary>
    public static string LayerNorm(OnnxGraphBuilder g, string x, LayerNorm norm, string hint)
    {
        long c = norm.normalized_shape[^1];
        string scale = norm.weight is null ? g.AddInitializer(hint + ".weight", Enumerable.Repeat(1f, (int)c).ToArray(), [c]) : g.AddInitializer(hint + ".weight", norm.weight);
        string bias = norm.bias is null ? g.AddInitializer(hint + ".bias", new float[c], [c]) : g.AddInitializer(hint + ".bias", norm.bias);
        return g.Node("LayerNormalization", [x, scale, bias], hint, OnnxGraphBuilder.Int("axis", -1), OnnxGraphBuilder.Float("epsilon", (float)norm.eps));
    }

    /// <summary>Where(mask, x, value): <paramref name="value"/> at the positions the mask leaves out.</summary>
    public static string Fill(OnnxGraphBuilder g, string mask, string x, float value, string hint) => g.Node("Where", [mask, x, g.FloatScalar(value)], hint);
}

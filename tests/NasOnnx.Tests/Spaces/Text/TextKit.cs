using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Architectures;
using NasOnnx.Onnx;
using NasOnnx.Spaces.Text;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>Tiny text spaces and ONNX Runtime runs of token models for the text tests.</summary>
internal static class TextKit
{
    /// <summary>Tiny options and config number <paramref name="i"/>: widths 4/6/8, embedding as wide or not, depth 1..4,
    /// window 1..3, bidirectional GRU or not, 2..4 classes.</summary>
    public static TextSpace Tiny(int i)
    {
        int width = 4 + 2 * (i % 3), depth = 1 + i % 4, vocabulary = 20 + 7 * (i % 3);
        var options = SpaceOptions.Text(vocabulary, 5 + i % 4, 2 + i % 3, width, depth);
        var config = TextConfig.For(vocabulary, width, depth) with
        {
            Embed = i % 2 == 0 ? width : 3 + i % 5,
            Window = 1 + (i / 2) % 3,
            Heads = i % 5 == 0 ? 1 : TextConfig.DefaultHeads(width),
            Bidirectional = i % 7 != 3,
        };
        return new TextSpace(options, config);
    }

    /// <summary>Runs a token model in ONNX Runtime on ids [rows, length].</summary>
    public static float[] Run(InferenceSession session, long[] ids, int rows)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [rows, ids.Length / rows]);
        using var ro = new RunOptions();
        using var outputs = session.Run(ro, [OnnxExporter.TokensName], [input], [OnnxExporter.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static InferenceSession Session(byte[] model) => new(model, new SessionOptions { IntraOpNumThreads = 1 });

    public static byte[] Bytes(Networks.NasNetwork net) => OnnxExporter.BuildModel(net).ToByteArray();
}

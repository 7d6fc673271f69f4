using Microsoft.ML.OnnxRuntime;
using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Networks;

namespace NasOnnx.Onnx;

/// <summary>Runs a network in TorchSharp (eval mode) and its ONNX model in ONNX Runtime on the same random inputs.</summary>
public static class OnnxVerifier
{
    public static VerifyResult Compare(NasNetwork network, byte[] model, int seed = 0, int threads = 1, params int[] batchSizes)
    {
        if (batchSizes.Length == 0) batchSizes = [1, 3];
        if (network is ITokenNetwork text) return CompareTokens(network, text, model, seed, threads, batchSizes, []);
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var a = network.Architecture.Input;
        var gen = new torch.Generator((ulong)seed + 12345);
        double maxAbs = 0, maxOut = 0;
        bool training = network.training;
        network.eval();
        foreach (int n in batchSizes)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.randn([n, a.Channels, a.Height, a.Width], generator: gen);
            float[] expected = network.call(x).contiguous().data<float>().ToArray();
            float[] input = x.data<float>().ToArray();
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [n, a.Channels, a.Height, a.Width]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [inputValue], [OnnxExporter.OutputName]);
            var actual = outputs[0].GetTensorDataAsSpan<float>();
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            if (shape.Length != 2 || shape[0] != n || shape[1] != network.Architecture.Classes || actual.Length != expected.Length)
                throw new InvalidOperationException($"ONNX output shape [{string.Join(", ", shape)}] differs from TorchSharp's [{n}, {network.Architecture.Classes}].");
            Accumulate(expected, actual, ref maxAbs, ref maxOut);
        }
        if (training) network.train();
        return new VerifyResult(maxAbs, maxOut > 0 ? maxAbs / maxOut : maxAbs, maxOut, batchSizes);
    }

    /// <summary>
    /// A text network on random token ids at each of <paramref name="lengths"/> (default: 1, 5 and the reference length):
    /// every row gets a random number of real tokens followed by padding, some ids past the vocabulary (read as &lt;unk&gt;).
    /// </summary>
    public static VerifyResult CompareTokens(NasNetwork network, ITokenNetwork text, byte[] model, int seed, int threads, int[] batchSizes, int[] lengths)
    {
        if (lengths.Length == 0) lengths = [1, 5, Math.Max(2, text.ReferenceLength)];
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var random = new Random(seed + 12345);
        double maxAbs = 0, maxOut = 0;
        bool training = network.training;
        network.eval();
        foreach (int length in lengths)
            foreach (int n in batchSizes)
            {
                var ids = new long[n * length];
                for (int row = 0; row < n; row++)
                {
                    int real = row == 0 ? length : random.Next(1, length + 1);
                    for (int t = 0; t < real; t++)
                        ids[row * length + t] = random.Next(10) == 0 ? text.Vocabulary + random.Next(100) : random.Next(1, text.Vocabulary);
                }
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                float[] expected = network.call(torch.tensor(ids, [n, length])).contiguous().data<float>().ToArray();
                using var inputValue = OrtValue.CreateTensorValueFromMemory(ids, [n, length]);
                using var runOptions = new RunOptions();
                using var outputs = session.Run(runOptions, [OnnxExporter.TokensName], [inputValue], [OnnxExporter.OutputName]);
                var actual = outputs[0].GetTensorDataAsSpan<float>();
                if (actual.Length != expected.Length)
                    throw new InvalidOperationException($"ONNX gives {actual.Length} outputs for {n} sequences of {length}, TorchSharp {expected.Length}.");
                Accumulate(expected, actual, ref maxAbs, ref maxOut);
            }
        if (training) network.train();
        return new VerifyResult(maxAbs, maxOut > 0 ? maxAbs / maxOut : maxAbs, maxOut, batchSizes);
    }

    public static VerifyResult Compare(NasNetwork network, string onnxPath, int seed = 0, int threads = 1, params int[] batchSizes) =>
        Compare(network, File.ReadAllBytes(onnxPath), seed, threads, batchSizes);

    /// <summary>
    /// Runs random uint8 images through a model with preprocessing inside and, normalized in C# the way training
    /// normalizes them (<see cref="Normalization.Apply"/>), through the plain model of the same network; the difference
    /// is what the preprocessing nodes change. Any-size models get images at the trained resolution (Resize to the same size).
    /// </summary>
    public static VerifyResult ComparePreprocessed(byte[] plainModel, byte[] preprocessedModel, PreprocessLayout layout, Normalization normalization,
        InputShape shape, int seed = 0, int threads = 1, params int[] batchSizes)
    {
        if (batchSizes.Length == 0) batchSizes = [1, 3];
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var plain = new InferenceSession(plainModel, options);
        using var preprocessed = new InferenceSession(preprocessedModel, options);
        using var runOptions = new RunOptions();
        var random = new Random(seed + 12345);
        double maxAbs = 0, maxOut = 0;
        foreach (int n in batchSizes)
        {
            var images = Enumerable.Range(0, n).Select(_ =>
            {
                var pixels = new byte[shape.Channels * shape.Height * shape.Width];
                random.NextBytes(pixels);
                return pixels;
            }).ToArray();
            using var floats = ImageBatch.Normalized(images, normalization, shape.Channels, shape.Height, shape.Width);
            using var bytes = ImageBatch.Pixels(images, layout, shape.Channels, shape.Height, shape.Width);
            using var expectedOutputs = plain.Run(runOptions, [OnnxExporter.InputName], [floats], [OnnxExporter.OutputName]);
            using var actualOutputs = preprocessed.Run(runOptions, [OnnxExporter.InputName], [bytes], [OnnxExporter.OutputName]);
            var expected = expectedOutputs[0].GetTensorDataAsSpan<float>();
            var actual = actualOutputs[0].GetTensorDataAsSpan<float>();
            if (expected.Length != actual.Length)
                throw new InvalidOperationException($"The preprocessed model gives {actual.Length} outputs, the plain model {expected.Length}.");
            Accumulate(expected, actual, ref maxAbs, ref maxOut);
        }
        return new VerifyResult(maxAbs, maxOut > 0 ? maxAbs / maxOut : maxAbs, maxOut, batchSizes);
    }

    /// <summary>Largest |expected - actual| (NaN counts as infinite) and largest |expected| so far.</summary>
    private static void Accumulate(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ref double maxAbs, ref double maxOut)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            maxAbs = Math.Max(maxAbs, double.IsNaN(d) ? double.PositiveInfinity : d);
            maxOut = Math.Max(maxOut, Math.Abs(expected[i]));
        }
    }
}

using Microsoft.ML.OnnxRuntime;
using NasOnnx.Networks;

namespace NasOnnx.Onnx;

/// <summary>Runs a network in TorchSharp (eval mode) and its ONNX model in ONNX Runtime on the same random inputs.</summary>
public static class OnnxVerifier
{
    public static VerifyResult Compare(NasNetwork network, byte[] model, int seed = 0, int threads = 1, params int[] batchSizes)
    {
        if (batchSizes.Length == 0) batchSizes = [1, 3];
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
            for (int i = 0; i < expected.Length; i++)
            {
                double d = Math.Abs((double)expected[i] - actual[i]);
                if (double.IsNaN(d)) d = double.PositiveInfinity;
                maxAbs = Math.Max(maxAbs, d);
                maxOut = Math.Max(maxOut, Math.Abs(expected[i]));
            }
        }
        if (training) network.train();
        return new VerifyResult(maxAbs, maxOut > 0 ? maxAbs / maxOut : maxAbs, maxOut, batchSizes);
    }

    public static VerifyResult Compare(NasNetwork network, string onnxPath, int seed = 0, int threads = 1, params int[] batchSizes) =>
        Compare(network, File.ReadAllBytes(onnxPath), seed, threads, batchSizes);
}

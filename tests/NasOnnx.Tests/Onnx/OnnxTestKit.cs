using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Runtime;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Tests.Onnx;

/// <summary>Shared helpers for the export proof: compare TorchSharp and ONNX Runtime, keep the worst errors,
/// and drop every exported model into NASONNX_ONNX_CHECK_DIR (when set) for the Python onnx checker.</summary>
internal static class OnnxTestKit
{
    public const double Tolerance = 1e-4;
    private static readonly ConcurrentBag<(string What, double Abs, double Rel)> Results = new();

    public static string? CheckDir
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("NASONNX_ONNX_CHECK_DIR");
            if (string.IsNullOrWhiteSpace(dir)) return null;
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static void Init() => TorchRuntime.Initialize(threads: 1);

    public static void Keep(string name, byte[] model)
    {
        if (CheckDir is { } dir) File.WriteAllBytes(Path.Combine(dir, name + ".onnx"), model);
    }

    public static void Record(string what, VerifyResult r) => Results.Add((what, r.MaxAbsDiff, r.MaxRelDiff));

    public static (string What, double Abs, double Rel) Worst() => Results.OrderByDescending(r => r.Abs).FirstOrDefault();

    public static int Count => Results.Count;

    /// <summary>Exports the network, checks it in ONNX Runtime at batch 1 and 3, and returns the errors.</summary>
    public static VerifyResult ExportAndCompare(NasNetwork net, bool fold, string tag, int seed = 0)
    {
        net.eval();
        var model = OnnxExporter.BuildModel(net, new ExportOptions { FoldBatchNorm = fold, Dataset = "test" });
        byte[] bytes = model.ToByteArray();
        Keep($"{tag}_{net.Architecture.Space}_{net.Architecture.ArchId}_{(fold ? "folded" : "bn")}", bytes);
        var r = OnnxVerifier.Compare(net, bytes, seed, threads: 1, 1, 3);
        Record($"{tag} {net.Architecture.Describe()} fold={fold}", r);
        Assert.True(r.MaxAbsDiff <= Tolerance, $"{net.Architecture.Describe()} fold={fold}: max abs diff {r.MaxAbsDiff:G3} (rel {r.MaxRelDiff:G3}, max |out| {r.MaxAbsOutput:G3})");
        return r;
    }

    /// <summary>Emits a single op into a graph and compares ONNX Runtime with the TorchSharp forward.</summary>
    public static VerifyResult CompareOp(OpModule op, long channels, long size, bool fold, string tag)
    {
        op.eval();
        var g = new OnnxGraphBuilder(fold);
        g.AddInput("input", (int)channels, (int)size, (int)size);
        string y;
        using (torch.no_grad()) y = op.EmitOnnx(g, "input", "op");
        if (g.Graph.Node.Count == 0 || g.Graph.Node[^1].Output[0] != y) g.Node("Identity", [y], "out");
        g.RenameLastOutput("out");
        using var probe = torch.zeros(1, channels, size, size);
        long[] outShape;
        using (torch.no_grad()) outShape = op.forward(probe).shape;
        g.AddOutput("out", outShape.Skip(1).ToArray());
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = "NasOnnx.Tests", Graph = g.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        byte[] bytes = model.ToByteArray();
        Keep($"op_{tag}_{(fold ? "folded" : "bn")}", bytes);

        using var session = new InferenceSession(bytes, new SessionOptions { IntraOpNumThreads = 1 });
        var gen = new torch.Generator(7);
        double maxAbs = 0, maxOut = 0;
        foreach (int n in new[] { 1, 3 })
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.randn([n, channels, size, size], generator: gen);
            float[] expected = op.forward(x).contiguous().data<float>().ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), [n, channels, size, size]);
            using var ro = new RunOptions();
            using var outputs = session.Run(ro, ["input"], [input], ["out"]);
            var actual = outputs[0].GetTensorDataAsSpan<float>();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs((double)expected[i] - actual[i]));
                maxOut = Math.Max(maxOut, Math.Abs(expected[i]));
            }
        }
        var r = new VerifyResult(maxAbs, maxOut > 0 ? maxAbs / maxOut : maxAbs, maxOut, [1, 3]);
        Record($"op {tag} fold={fold}", r);
        Assert.True(maxAbs <= Tolerance, $"op {tag} fold={fold}: max abs diff {maxAbs:G3}");
        return r;
    }
}

using Google.Protobuf;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Reporting;
using NasOnnx.Spaces;
using Onnx;
using TorchSharp;

namespace NasOnnx.Latency;

/// <summary>What a profiling pass did: how many ops were measured now, reused from the cache, or cost nothing.</summary>
public sealed record ProfileResult(LatencyTable Table, string CachePath, int Candidates, int Measured, int Reused, int NoNodes);

/// <summary>
/// Builds lookup tables: each candidate op of a space is exported as a one-op ONNX model (emitted by the same
/// <see cref="Ops.OpModule"/> the networks use, BatchNorm folded as the exporter does) and measured with the harness.
/// Entries already in the cache under the same fingerprint are reused.
/// </summary>
public static class LatencyProfiler
{
    /// <summary>Models measured together (interleaved) before the cache is saved.</summary>
    public const int Chunk = 24;

    public static ProfileResult Profile(ISpaceLatencyModel model, BenchmarkOptions options, string cacheDir, IRunLog? log = null, int seed = 0, int rounds = 5, CancellationToken cancel = default)
    {
        options.Validate();
        var fingerprint = DeviceFingerprint.Capture(options, OnnxExporter.Opset);
        var table = LatencyTable.LoadOrCreate(cacheDir, fingerprint);
        string path = LatencyTable.CachePath(cacheDir, fingerprint);
        var candidates = model.Candidates();
        int noNodes = candidates.Count(c => c.EmitsNothing);
        var missing = candidates.Where(c => !c.EmitsNothing && !table.Contains(c.Key)).ToArray();
        int reused = candidates.Count - noNodes - missing.Length;
        log?.Info($"{model.Space}: {candidates.Count} table keys, {reused} cached, {noNodes} without nodes, {missing.Length} to measure (device {fingerprint.Id}: {fingerprint})");
        int measured = 0;
        foreach (var chunk in missing.Chunk(Chunk))
        {
            cancel.ThrowIfCancellationRequested();
            var models = chunk.Select((op, i) => SingleOpModel(op, seed + measured + i)).Append(BaselineModel()).ToArray();
            var results = LatencyHarness.MeasureInterleaved(models, options, rounds);
            double baseline = results[^1].Stats.P50;
            for (int i = 0; i < chunk.Length; i++) table.Add(chunk[i].Key, results[i].Stats, results[i].LoadAverage?[0], baseline);
            measured += chunk.Length;
            if (File.Exists(path)) table.MergeMissing(LatencyTable.LoadOrCreate(cacheDir, fingerprint)); // keep another process's entries
            table.Save(path);
            log?.Info($"{model.Space}: measured {measured}/{missing.Length} ops (load {DeviceFingerprint.LoadAverageText()})");
        }
        return new ProfileResult(table, path, candidates.Count, measured, reused, noNodes);
    }

    /// <summary>
    /// The one-op ONNX model of <paramref name="op"/>: input "input" [batch, C, H, W], output "output"; seeded random
    /// weights. Throws if the module's output shape differs from the key's (a decomposition bug).
    /// </summary>
    public static byte[] SingleOpModel(OpInstance op, int seed)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize();
        int[] input = OpKey.Dims(op.Key.Input);
        int[] output = OpKey.Dims(op.Key.Output);
        using var module = op.Create();
        NetworkWeights.Initialize(module, seed);
        NetworkWeights.Randomize(module, seed);
        module.eval();
        using (torch.no_grad())
        using (var probe = torch.zeros(1, input[1], input[2], input[3]))
        using (var y = module.call(probe))
        {
            if (!y.shape.Skip(1).SequenceEqual(output.Skip(1).Select(d => (long)d)))
                throw new InvalidOperationException($"Op {op.Key.Id} produces [{string.Join(", ", y.shape)}], not its key's output shape.");
        }
        var g = new OnnxGraphBuilder(foldBatchNorm: true, graphName: op.Key.Op);
        g.AddInput(OnnxExporter.InputName, input[1], input[2], input[3]);
        string outName;
        using (torch.no_grad()) outName = module.EmitOnnx(g, OnnxExporter.InputName, "op");
        if (g.Graph.Node.Count == 0 || g.Graph.Node[^1].Output[0] != outName) g.Node("Identity", [outName], "output");
        g.RenameLastOutput("output");
        g.AddOutput("output", output.Skip(1).Select(d => (long)d).ToArray());
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = OnnxExporter.ProducerName, ProducerVersion = OnnxExporter.ProducerVersion, Graph = g.Graph, DocString = op.Key.Id };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        return model.ToByteArray();
    }

    /// <summary>
    /// The empty model: one Identity on a [batch, 1] float input. Its latency is what every Run costs besides the
    /// ops (binding, dispatch, thread-pool hand-off), subtracted from each one-op measurement.
    /// </summary>
    public static byte[] BaselineModel()
    {
        var g = new OnnxGraphBuilder(graphName: "baseline");
        g.AddInput(OnnxExporter.InputName, 1, 1, 1);
        g.Node("Identity", [OnnxExporter.InputName], "output");
        g.AddOutput("output", 1, 1, 1);
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = OnnxExporter.ProducerName, ProducerVersion = OnnxExporter.ProducerVersion, Graph = g.Graph, DocString = "baseline" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        return model.ToByteArray();
    }

    /// <summary>The whole-model ONNX of an architecture with seeded random weights (what the exporter writes).</summary>
    public static byte[] WholeModel(IArchitecture architecture, int seed)
    {
        using var net = NetworkWeights.BuildRandom(architecture, seed);
        return OnnxExporter.BuildModel(net).ToByteArray();
    }
}

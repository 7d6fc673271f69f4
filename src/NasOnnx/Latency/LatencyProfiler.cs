using Google.Protobuf;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Reporting;
using Onnx;
using NasOnnx.Core;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>
/// Builds lookup tables: each candidate op of a space is exported as a one-op ONNX model (emitted by the same
/// <see cref="Ops.OpModule"/> the networks use, BatchNorm folded as the exporter does) and measured with the harness.
/// Entries already in the cache under the same fingerprint are reused.
/// </summary>
public static class LatencyProfiler
{
    /// <summary>Models measured together (interleaved) before the cache is saved.</summary>
    public const int Chunk = 24;

    /// <summary>Table methods: "diff" measures shape-keeping ops in context (see <see cref="Profile"/>), "single" every op alone.</summary>
    public const string Differential = "diff2", SingleOnly = "single";

    /// <summary>The fingerprint a table built with these options and method carries.</summary>
    public static DeviceFingerprint Fingerprint(BenchmarkOptions options, bool differential) =>
        DeviceFingerprint.Capture(options, OnnxExporter.Opset) with { TableMethod = differential ? Differential : SingleOnly };

    /// <summary>
    /// Measures every candidate op the cache lacks. An op's entry is its one-op model's median minus an empty model's
    /// (the per-run cost of ONNX Runtime). With <paramref name="differential"/>, an op whose output shape equals its
    /// input shape is measured as (op applied twice) - (op once), and another op on an input of 8+ channels as
    /// (1x1 conv, op) - (1x1 conv): the boundary costs of a one-op model (run overhead, the layout reorders ORT puts
    /// around a lone convolution) cancel, leaving the op's cost inside a network.
    /// </summary>
    public static ProfileResult Profile(ISpaceLatencyModel model, BenchmarkOptions options, string cacheDir, IRunLog? log = null, int seed = 0, int rounds = 5,
        CancellationToken cancel = default, bool differential = true)
    {
        options.Validate();
        var fingerprint = Fingerprint(options, differential);
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
            // Per op: the model measured and its reference (subtracted). Differential: shape-keeping ops as (op, op) - (op);
            // other ops on a wide enough input as (context conv, op) - (context conv); the rest (e.g. the stem on the
            // image) alone minus the empty model.
            var models = new List<byte[]> { BaselineModel() };
            var pairs = new List<(int Measured, int Reference)>();
            for (int i = 0; i < chunk.Length; i++)
            {
                var op = chunk[i];
                int s = seed + measured + i;
                if (differential && op.Key.Input == op.Key.Output)
                {
                    models.Add(SingleOpModel(op, s));
                    models.Add(SingleOpModel(op, s, repeat: 2));
                    pairs.Add((models.Count - 1, models.Count - 2));
                }
                else if (differential && HasContext(op))
                {
                    models.Add(ContextModel(op, s, withOp: false));
                    models.Add(ContextModel(op, s, withOp: true));
                    pairs.Add((models.Count - 1, models.Count - 2));
                }
                else
                {
                    models.Add(SingleOpModel(op, s));
                    pairs.Add((models.Count - 1, 0));
                }
            }
            var results = LatencyHarness.MeasureInterleaved(models, options, rounds);
            for (int i = 0; i < chunk.Length; i++)
            {
                var (m, r) = pairs[i];
                table.Add(chunk[i].Key, results[m].Stats, results[m].LoadAverage?[0], results[r].Stats.Typical);
            }
            measured += chunk.Length;
            if (File.Exists(path)) table.MergeMissing(LatencyTable.LoadOrCreate(cacheDir, fingerprint)); // keep another process's entries
            table.Save(path);
            log?.Info($"{model.Space}: measured {measured}/{missing.Length} ops (load {DeviceFingerprint.LoadAverageText()})");
        }
        return new ProfileResult(table, path, candidates.Count, measured, reused, noNodes);
    }

    /// <summary>
    /// The one-op ONNX model of <paramref name="op"/>: input "input" of the key's input shape (float [batch, C, H, W] for
    /// image ops, [batch, L, C] for sequence ops, int64 for token inputs; the batch symbolic), output "output"; seeded random
    /// weights; <paramref name="repeat"/> 2 applies the op twice in a row (shape-keeping ops only). Throws if the
    /// module's output shape differs from the key's (a decomposition bug).
    /// </summary>
    public static byte[] SingleOpModel(OpInstance op, int seed, int repeat = 1)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize();
        int[] input = OpKey.Dims(op.Key.Input);
        int[] output = OpKey.Dims(op.Key.Output);
        using var module = op.Create();
        NetworkWeights.Initialize(module, seed);
        NetworkWeights.Randomize(module, seed);
        module.eval();
        using (torch.no_grad())
        using (var probe = Probe(op, input))
        using (var y = module.call(probe))
        {
            if (!y.shape.Skip(1).SequenceEqual(output.Skip(1).Select(d => (long)d)))
                throw new InvalidOperationException($"Op {op.Key.Id} produces [{string.Join(", ", y.shape)}], not its key's output shape.");
        }
        var g = new OnnxGraphBuilder(foldBatchNorm: true, graphName: op.Key.Op);
        AddInput(g, op, input);
        string outName;
        using (torch.no_grad())
        {
            outName = module.EmitOnnx(g, OnnxExporter.InputName, "op");
            for (int i = 1; i < repeat; i++) outName = module.EmitOnnx(g, outName, $"op{i + 1}");
        }
        if (g.Graph.Node.Count == 0 || g.Graph.Node[^1].Output[0] != outName) g.Node("Identity", [outName], "output");
        g.RenameLastOutput("output");
        g.AddOutput("output", output.Skip(1).Select(d => (long)d).ToArray());
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = OnnxExporter.ProducerName, ProducerVersion = OnnxExporter.ProducerVersion, Graph = g.Graph, DocString = op.Key.Id };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        return model.ToByteArray();
    }

    /// <summary>Ops on inputs with fewer channels (the stem on the image) have no preceding layer to measure them after.</summary>
    public const int ContextMinChannels = 8;

    /// <summary>Whether <see cref="ContextModel"/> applies: float image inputs [batch, C, H, W] of 8+ channels. Other inputs
    /// (token ids, sequences) are measured alone, or as (op, op) - (op) when the op keeps the shape.</summary>
    public static bool HasContext(OpInstance op)
    {
        int[] input = OpKey.Dims(op.Key.Input);
        return !op.TokenInput && input.Length == 4 && input[1] >= ContextMinChannels;
    }

    /// <summary>The network input declaration of an op's input shape: float (or int64 token ids) of the key's dimensions after the symbolic batch.</summary>
    private static void AddInput(OnnxGraphBuilder g, OpInstance op, int[] input) =>
        g.AddInput(OnnxExporter.InputName, op.TokenInput ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float,
            [.. input.Skip(1).Select(d => OnnxGraphBuilder.Dim(d))]);

    /// <summary>A batch-1 input of the key's shape: zeros, or token id 1 (&lt;unk&gt;: a real token) for token inputs.</summary>
    private static Tensor Probe(OpInstance op, int[] input)
    {
        long[] shape = [1, .. input.Skip(1).Select(d => (long)d)];
        return op.TokenInput ? torch.ones(shape, dtype: ScalarType.Int64) : torch.zeros(shape);
    }

    /// <summary>
    /// A shape-keeping 1x1 conv + BN + ReLU on the op's input (the typical layer before it), followed by the op when
    /// <paramref name="withOp"/>: (context, op) - (context) is the op's cost after a layer, as inside a network.
    /// </summary>
    public static byte[] ContextModel(OpInstance op, int seed, bool withOp)
    {
        if (!HasContext(op)) throw new ArgumentException($"op {op.Key.Id} has no context model: it does not take a float image of {ContextMinChannels}+ channels", nameof(op));
        int[] input = OpKey.Dims(op.Key.Input);
        var context = new OpInstance(new OpKey("context", op.Key.Input, op.Key.Input, "k1_relu"),
            () => new Ops.ConvBn(new ConvSpec(input[1], input[1], 1), act: Ops.Activation.Relu));
        return withOp ? ChainModel([context, op], seed) : ChainModel([context], seed);
    }

    /// <summary>The ONNX model of ops applied one after another (each op's input shape is the previous op's output shape; the
    /// first op's input element type is the model's).</summary>
    public static byte[] ChainModel(IReadOnlyList<OpInstance> ops, int seed)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize();
        int[] input = OpKey.Dims(ops[0].Key.Input);
        int[] output = OpKey.Dims(ops[^1].Key.Output);
        var g = new OnnxGraphBuilder(foldBatchNorm: true, graphName: string.Join("+", ops.Select(o => o.Key.Op)));
        AddInput(g, ops[0], input);
        string x = OnnxExporter.InputName;
        for (int i = 0; i < ops.Count; i++)
        {
            using var module = ops[i].Create();
            NetworkWeights.Initialize(module, seed + i);
            NetworkWeights.Randomize(module, seed + i);
            module.eval();
            using (torch.no_grad()) x = module.EmitOnnx(g, x, $"op{i}");
        }
        if (g.Graph.Node.Count == 0 || g.Graph.Node[^1].Output[0] != x) g.Node("Identity", [x], "output");
        g.RenameLastOutput("output");
        g.AddOutput("output", output.Skip(1).Select(d => (long)d).ToArray());
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = OnnxExporter.ProducerName, ProducerVersion = OnnxExporter.ProducerVersion, Graph = g.Graph, DocString = g.Graph.Name };
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
}

using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

/// <summary>
/// Measures ONNX models with ONNX Runtime: warm-up, many timed runs, median. <see cref="MeasureInterleaved"/>
/// measures several models in round-robin rounds so that a burst of load from other processes lands on all of
/// them rather than on one.
/// </summary>
public static class LatencyHarness
{
    public static LatencyMeasurement Measure(string modelPath, BenchmarkOptions options)
    {
        if (!File.Exists(modelPath))
            throw new NasOnnxException("Model file not found.", "Check the path; `nasonnx export` or the export stage writes model.onnx.") { FilePath = modelPath };
        return Measure(File.ReadAllBytes(modelPath), options, modelPath);
    }

    public static LatencyMeasurement Measure(byte[] model, BenchmarkOptions options, string? path = null) =>
        MeasureInterleaved([model], options, rounds: 1, path)[0];

    /// <summary>
    /// Opens a session per model, warms each up, then runs <paramref name="rounds"/> rounds in which every model
    /// gets <c>Runs / rounds</c> timed runs. Statistics are over all of a model's samples.
    /// </summary>
    public static IReadOnlyList<LatencyMeasurement> MeasureInterleaved(IReadOnlyList<byte[]> models, BenchmarkOptions options, int rounds = 5, string? path = null)
    {
        options.Validate();
        rounds = Math.Clamp(rounds, 1, options.Runs);
        var fingerprint = DeviceFingerprint.Capture(options, OpsetOf(models));
        var sessions = new List<BenchmarkSession>();
        try
        {
            foreach (var m in models) sessions.Add(new BenchmarkSession(m, options, path));
            var samples = models.Select(_ => new List<double>(options.Runs)).ToArray();
            bool cpuClock = ThreadCpuClock.Available && options.Threads == 1;
            var cpu = models.Select(_ => cpuClock ? new List<double>(options.Runs) : null).ToArray();
            try
            {
                foreach (var s in sessions)
                    for (int i = 0; i < options.Warmup; i++) s.Run();
                for (int r = 0; r < rounds; r++)
                {
                    int n = options.Runs / rounds + (r < options.Runs % rounds ? 1 : 0);
                    for (int i = 0; i < sessions.Count; i++) sessions[i].Sample(n, samples[i], cpu[i]);
                }
            }
            catch (OnnxRuntimeException e)
            {
                // A model that loads but cannot run (e.g. a node ONNX Runtime rejects only at run time).
                throw new NasOnnxException($"ONNX Runtime loaded the model but cannot run it: {e.Message.Split('\n')[0].Trim()}",
                    "Check the model with `nasonnx inspect` or onnx.checker, or re-export it.") { FilePath = path };
            }
            var load = DeviceFingerprint.LoadAverage();
            return samples.Select((s, i) =>
            {
                var wall = LatencyStats.From(s, options.Statistic);
                var threadCpu = cpu[i] is { } c ? LatencyStats.From(c, options.Statistic) : null;
                return options.Clock == LatencyClock.ThreadCpu
                    ? new LatencyMeasurement(threadCpu!, cpu[i]!, fingerprint, load, wall, threadCpu)
                    : new LatencyMeasurement(wall, s, fingerprint, load, wall, threadCpu);
            }).ToArray();
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
    }

    /// <summary>The default-domain opset of the models (all NasOnnx models use the same).</summary>
    private static long OpsetOf(IReadOnlyList<byte[]> models)
    {
        if (models.Count == 0) return Onnx.OnnxExporter.Opset;
        try
        {
            var m = global::Onnx.ModelProto.Parser.ParseFrom(models[0]);
            return m.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain))?.Version ?? Onnx.OnnxExporter.Opset;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return Onnx.OnnxExporter.Opset; // ORT will report the real problem when it loads the model
        }
    }
}

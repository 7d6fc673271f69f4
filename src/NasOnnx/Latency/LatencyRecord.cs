using System.Globalization;
using Onnx;

namespace NasOnnx.Latency;

/// <summary>One row of latency.csv: the statistics, what was measured, and the full device fingerprint.</summary>
public sealed record LatencyRecord(
    string Model, string Space, string ArchId,
    double P50Ms, double P90Ms, double MeanMs, double StdMs, double MinMs, double MaxMs, int Runs, int Warmup,
    int Batch, int Threads, string Ep, long Opset, string OrtVersion, string CpuModel, int LogicalCores, string GraphOptimization, string FingerprintId,
    string Clock, double WallP50Ms, double? CpuP50Ms, double? Load1, double? Load5, double? Load15, string MeasuredAt)
{
    public static LatencyRecord From(string modelPath, byte[] model, LatencyMeasurement m, BenchmarkOptions options)
    {
        string space = "", archId = "";
        try
        {
            var proto = ModelProto.Parser.ParseFrom(model);
            space = proto.MetadataProps.FirstOrDefault(p => p.Key == Onnx.OnnxExporter.Keys.Space)?.Value ?? "";
            archId = proto.MetadataProps.FirstOrDefault(p => p.Key == Onnx.OnnxExporter.Keys.ArchId)?.Value ?? "";
        }
        catch (Google.Protobuf.InvalidProtocolBufferException) { }
        var s = m.Stats;
        var f = m.Fingerprint;
        return new LatencyRecord(Path.GetFileName(modelPath), space, archId, s.P50, s.P90, s.Mean, s.Std, s.Min, s.Max, s.Runs, options.Warmup,
            f.Batch, f.Threads, f.ExecutionProvider, f.Opset, f.OrtVersion, f.CpuModel, f.LogicalCores, f.GraphOptimization, f.Id,
            f.Clock, m.Wall.P50, m.ThreadCpu?.P50, m.LoadAverage?[0], m.LoadAverage?.ElementAtOrDefault(1), m.LoadAverage?.ElementAtOrDefault(2),
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
    }
}

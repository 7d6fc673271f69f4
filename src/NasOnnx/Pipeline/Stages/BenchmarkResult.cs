using System.Text.Json;
using NasOnnx.Latency;

namespace NasOnnx.Pipeline.Stages;

/// <summary>What a benchmark stage measured (its latency.json), read back for model cards and reports.</summary>
public sealed record BenchmarkResult(double P50Ms, double P90Ms, int Threads, int Batch, int Runs, string Device, string DeviceId, string? Load)
{
    /// <summary>Reads &lt;dir&gt;/latency.json; null when the folder has none.</summary>
    public static BenchmarkResult? TryLoad(string dir)
    {
        string path = Path.Combine(dir, BenchmarkStage.JsonFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var record = root.GetProperty("record");
            // Lookup-table files store the fingerprint the same way, and load it back with these options.
            var fingerprint = root.GetProperty("fingerprint").Deserialize<DeviceFingerprint>(LatencyTable.Json) ?? throw new JsonException("no fingerprint");
            return new BenchmarkResult(record.GetProperty("p50_ms").GetDouble(), record.GetProperty("p90_ms").GetDouble(),
                record.GetProperty("threads").GetInt32(), record.GetProperty("batch").GetInt32(), record.GetProperty("runs").GetInt32(),
                fingerprint.ToString(), record.GetProperty("fingerprint_id").GetString() ?? fingerprint.Id,
                root.TryGetProperty("load_before", out var load) ? load.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new NasOnnxException($"{BenchmarkStage.JsonFile} is damaged ({e.Message})", "re-run the benchmark stage with --force") { FilePath = path };
        }
    }
}

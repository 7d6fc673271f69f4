using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Latency;

namespace NasOnnx.Latency;

/// <summary>
/// What a benchmark stage measured: its latency.json, written by the stage and read back for the export stage's
/// metadata, model cards and reports.
/// </summary>
/// <param name="ArchId">The measured model's architecture id ("" when unknown).</param>
/// <param name="TargetMs">The stage's latency target, null without one.</param>
public sealed record BenchmarkResult(double P50Ms, double P90Ms, int Threads, int Batch, int Runs, string Device, string DeviceId, string? Load,
    string ArchId = "", double? TargetMs = null, bool MeetsTarget = false)
{
    public const string FileName = "latency.json";

    /// <summary>Writes &lt;dir&gt;/latency.json: the record, the device fingerprint, the load around the measurement, the target verdict.</summary>
    public static void Write(string dir, LatencyRecord record, DeviceFingerprint fingerprint, string loadBefore, string loadAfter, double? targetMs, bool? meetsTarget) =>
        AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(new
        {
            record,
            fingerprint,
            fingerprint_canonical = fingerprint.Canonical,
            load_before = loadBefore,
            load_after = loadAfter,
            latency_target_ms = targetMs,
            meets_target = meetsTarget,
        }, LatencyTable.Json) + "\n");

    /// <summary>Reads &lt;dir&gt;/latency.json; null when the folder has none.</summary>
    public static BenchmarkResult? TryLoad(string dir)
    {
        string path = Path.Combine(dir, FileName);
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
                root.TryGetProperty("load_before", out var load) ? load.GetString() : null,
                record.TryGetProperty("arch_id", out var arch) ? arch.GetString() ?? "" : "",
                root.TryGetProperty("latency_target_ms", out var target) && target.ValueKind == JsonValueKind.Number ? target.GetDouble() : null,
                root.TryGetProperty("meets_target", out var meets) && meets.ValueKind == JsonValueKind.True);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new NasOnnxException($"{FileName} is damaged ({e.Message})", "re-run the benchmark stage with --force") { FilePath = path };
        }
    }
}

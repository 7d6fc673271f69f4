using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Core;

namespace NasOnnx.Latency;

/// <summary>
/// A latency lookup table for one device fingerprint: op key -> measured median (ms). Cached on disk as
/// <c>{cache}/{fingerprint id}.json</c>; an entry is reused whenever its key and the fingerprint match, so
/// profiling a second space or size only measures the ops not seen before.
/// </summary>
public sealed class LatencyTable
{
    private readonly Dictionary<string, TableEntry> _entries = new(StringComparer.Ordinal);

    public LatencyTable(DeviceFingerprint fingerprint) => Fingerprint = fingerprint;

    public DeviceFingerprint Fingerprint { get; }
    public int Count => _entries.Count;
    public IEnumerable<TableEntry> Entries => _entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal);

    public bool Contains(OpKey key) => _entries.ContainsKey(key.Id);

    public void Add(TableEntry entry) => _entries[entry.Key] = entry;

    /// <summary>Adds a measured op; <paramref name="baselineMs"/> (its reference's median) is subtracted from its median.</summary>
    public void Add(OpKey key, LatencyStats stats, double? load1, double baselineMs = 0) =>
        Add(new TableEntry(key.Id, key.Op, key.Input, key.Output, key.Args, Math.Max(0, stats.Typical - baselineMs), stats.Mean, stats.Std, stats.P90, stats.Runs, DateTime.UtcNow, load1,
            stats.Typical, baselineMs));

    /// <summary>The entry's latency (ms); ops that emit no node cost 0. Missing entries fail with what to run.</summary>
    public double Ms(OpInstance op)
    {
        if (op.EmitsNothing) return 0;
        if (_entries.TryGetValue(op.Key.Id, out var e)) return e.Ms;
        throw new NasOnnxException($"The latency table has no entry for {op.Key.Id} (device {Fingerprint.Id}).",
            "Profile this space at this input size, batch and thread count first (the profile-latency stage).");
    }

    /// <summary>Sum of the table entries of the ops (ms).</summary>
    public double Sum(IEnumerable<OpInstance> ops) => ops.Sum(Ms);

    /// <summary>Raw table sums for one-shot search: [row][choice] = ms that choice adds (not calibrated), plus the fixed part.</summary>
    public ChoiceLatencyTable Latencies(ChoiceInstances parts)
    {
        double fixedMs = parts.Fixed.Sum(f => f.Weight * Ms(f.Op));
        var ms = parts.PerChoice.Select(d => d.Select(c => c.Sum(x => x.Weight * Ms(x.Op))).ToArray()).ToArray();
        return new ChoiceLatencyTable(fixedMs, ms);
    }

    // ---- persistence ----

    private sealed record Stored(string FingerprintId, DeviceFingerprint Fingerprint, List<TableEntry> Entries);

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // NaN/Infinity (a diverged trial's loss, say) are written as named literals instead of throwing.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string CachePath(string cacheDir, DeviceFingerprint fingerprint) => Path.Combine(cacheDir, $"{fingerprint.Id}.json");

    public void Save(string path) =>
        AtomicWrite.Text(path, JsonSerializer.Serialize(new Stored(Fingerprint.Id, Fingerprint, Entries.ToList()), Json) + "\n");

    public static LatencyTable Load(string path)
    {
        if (!File.Exists(path))
            throw new NasOnnxException("Latency table not found.", "Run the profile-latency stage to build it.") { FilePath = path };
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"The latency table is not valid JSON: {e.Message}", "Delete it; the profile-latency stage measures it again.") { FilePath = path };
        }
        if (stored?.Fingerprint is null || stored.Entries is null)
            throw new NasOnnxException("The latency table has no fingerprint or entries.", "Delete it; the profile-latency stage measures it again.") { FilePath = path };
        var table = new LatencyTable(stored.Fingerprint);
        foreach (var e in stored.Entries) table.Add(e);
        return table;
    }

    /// <summary>The cached table for this fingerprint, or an empty one. A file whose fingerprint differs is ignored.</summary>
    public static LatencyTable LoadOrCreate(string cacheDir, DeviceFingerprint fingerprint)
    {
        string path = CachePath(cacheDir, fingerprint);
        if (!File.Exists(path)) return new LatencyTable(fingerprint);
        var table = Load(path);
        return table.Fingerprint == fingerprint ? table : new LatencyTable(fingerprint);
    }

    /// <summary>Adds the entries of another table of the same fingerprint that this one lacks (another process's work).</summary>
    public void MergeMissing(LatencyTable other)
    {
        if (other.Fingerprint != Fingerprint) return;
        foreach (var e in other._entries.Values) _entries.TryAdd(e.Key, e);
    }
}

using System.Text;
using System.Text.Json;
using NasOnnx.Architectures;
using NasOnnx.Runtime;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Remembers evaluations by (ArchId, rung): a repeated architecture is not trained again. With a file, every
/// result is appended as one JSON line and flushed before it is returned, so a run killed right after an
/// evaluation (before the search state was saved) reuses it on resume. A torn last line is ignored. A diverged
/// evaluation is remembered too (its reason), and thrown again on a hit, so a resume does not silently retrain it.
/// </summary>
public sealed class CachingEvaluator : IEvaluator
{
    /// <summary>One entry a line; a diverged trial's NaN accuracy is written as a named literal instead of throwing.</summary>
    private static readonly JsonSerializerOptions Compact = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public const string FileName = "evaluations.jsonl";

    private readonly IEvaluator _inner;
    private readonly string? _file;
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DivergedException> _failures = new(StringComparer.Ordinal);

    public CachingEvaluator(IEvaluator inner, string? file = null)
    {
        _inner = inner;
        _file = file;
        if (file is null || !File.Exists(file)) return;
        foreach (var line in File.ReadLines(file))
        {
            try
            {
                var entry = JsonSerializer.Deserialize<Entry>(line, Compact);
                if (entry?.Key is not { } key) continue;
                if (entry.Failure is { } f) { _failures[key] = new DivergedException(f.Loop, f.What, f.Where); _cache.Remove(key); }
                else if (entry.Objectives is { } o) { _cache[key] = o; _failures.Remove(key); }
            }
            catch (JsonException)
            {
                // a line torn by a kill: evaluate that architecture again
            }
        }
    }

    public int Rungs => _inner.Rungs;
    public int Hits { get; private set; }
    public int Misses { get; private set; }
    public int Count => _cache.Count;

    private static string Key(IArchitecture architecture, int rung) => $"{architecture.ArchId}@{rung}";

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        string key = Key(architecture, rung);
        if (_cache.TryGetValue(key, out var known)) { Hits++; return known; }
        if (_failures.TryGetValue(key, out var failed)) { Hits++; throw failed; }
        Misses++;
        SortedDictionary<string, double> result;
        try
        {
            result = Sorted.Of(_inner.Evaluate(architecture, rung, cancellation));
        }
        catch (DivergedException e)
        {
            _failures[key] = e;
            Append(new Entry(key, null) { Failure = new FailureEntry(e.Loop, e.What, e.Where) });
            throw;
        }
        _cache[key] = result;
        Append(new Entry(key, result));
        return result;
    }

    /// <summary>
    /// What is known of (architecture, rung) without evaluating: its objectives, null when unknown; a known divergence is
    /// thrown again. For executors that evaluate elsewhere (worker processes, Slurm jobs) and <see cref="Record"/> the result.
    /// </summary>
    public IReadOnlyDictionary<string, double>? TryGet(IArchitecture architecture, int rung)
    {
        string key = Key(architecture, rung);
        if (_cache.TryGetValue(key, out var known)) { Hits++; return known; }
        if (_failures.TryGetValue(key, out var failed)) { Hits++; throw failed; }
        return null;
    }

    /// <summary>Remembers objectives computed elsewhere (a worker's result).</summary>
    public void Record(IArchitecture architecture, int rung, IReadOnlyDictionary<string, double> objectives)
    {
        string key = Key(architecture, rung);
        var sorted = Sorted.Of(objectives);
        Misses++;
        _cache[key] = sorted;
        _failures.Remove(key);
        Append(new Entry(key, sorted));
    }

    /// <summary>Remembers a divergence reported by a worker.</summary>
    public void RecordFailure(IArchitecture architecture, int rung, DivergedException e)
    {
        string key = Key(architecture, rung);
        Misses++;
        _failures[key] = e;
        _cache.Remove(key);
        Append(new Entry(key, null) { Failure = new FailureEntry(e.Loop, e.What, e.Where) });
    }

    /// <summary>Drops what is known of (architecture, rung) so the next evaluation trains it again (retrying a failed trial).</summary>
    public void Forget(IArchitecture architecture, int rung)
    {
        string key = Key(architecture, rung);
        _cache.Remove(key);
        _failures.Remove(key);
    }

    private void Append(Entry entry)
    {
        if (_file is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_file))!);
        using var stream = new FileStream(_file, FileMode.Append, FileAccess.Write);
        // a torn previous line must not swallow this one
        stream.Write(Encoding.UTF8.GetBytes("\n" + JsonSerializer.Serialize(entry, Compact) + "\n"));
        stream.Flush(flushToDisk: true);
    }

    private sealed record Entry(string Key, SortedDictionary<string, double>? Objectives)
    {
        public FailureEntry? Failure { get; init; }
    }

    private sealed record FailureEntry(string Loop, string What, string? Where);
}

using System.Text;
using System.Text.Json;
using NasOnnx.Spaces;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Remembers evaluations by (ArchId, rung): a repeated architecture is not trained again. With a file, every
/// result is appended as one JSON line and flushed before it is returned, so a run killed right after an
/// evaluation (before the search state was saved) reuses it on resume. A torn last line is ignored.
/// </summary>
public sealed class CachingEvaluator : IEvaluator
{
    /// <summary>One entry a line; a diverged trial's NaN accuracy is written as a named literal instead of throwing.</summary>
    private static readonly JsonSerializerOptions Compact = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public const string FileName = "evaluations.jsonl";

    private readonly IEvaluator _inner;
    private readonly string? _file;
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _cache = new(StringComparer.Ordinal);

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
                if (entry?.Key is { } key && entry.Objectives is { } o) _cache[key] = o;
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

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        string key = $"{architecture.ArchId}@{rung}";
        if (_cache.TryGetValue(key, out var known)) { Hits++; return known; }
        Misses++;
        var result = Sorted.Of(_inner.Evaluate(architecture, rung, cancellation));
        _cache[key] = result;
        if (_file is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_file))!);
            using var stream = new FileStream(_file, FileMode.Append, FileAccess.Write);
            // a torn previous line must not swallow this one
            stream.Write(Encoding.UTF8.GetBytes("\n" + JsonSerializer.Serialize(new Entry(key, result), Compact) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        return result;
    }

    private sealed record Entry(string Key, SortedDictionary<string, double> Objectives);
}

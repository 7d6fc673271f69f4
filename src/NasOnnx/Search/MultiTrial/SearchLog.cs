using System.Globalization;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Search.MultiTrial;

/// <summary>search_log.csv: one row per trial with its number, rung, ArchId, generation, parents, status ("ok" or
/// "diverged"), score, every objective (one column each; empty for a failed trial), why it failed and the architecture JSON.</summary>
public static class SearchLog
{
    public const string FileName = "search_log.csv";

    public static void Write(string path, IReadOnlyList<Trial> trials)
    {
        var keys = trials.SelectMany(t => t.Objectives.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var header = new List<string> { "trial", "rung", "arch_id", "generation", "parents", "status", "score" };
        header.AddRange(keys);
        header.Add("failure");
        header.Add("architecture");
        Csv.WriteTable(path, header, trials.Select(t =>
        {
            var row = new List<string>
            {
                t.Number.ToString(CultureInfo.InvariantCulture),
                t.Rung.ToString(CultureInfo.InvariantCulture),
                t.ArchId,
                t.Generation.ToString(CultureInfo.InvariantCulture),
                string.Join(' ', t.Parents),
                t.Status,
                Csv.Format(t.Score),
            };
            row.AddRange(keys.Select(k => t.Objectives.TryGetValue(k, out double v) ? Csv.Format(v) : ""));
            row.Add(t.Failure ?? "");
            row.Add(t.Architecture);
            return (IReadOnlyList<string>)row;
        }));
    }
}

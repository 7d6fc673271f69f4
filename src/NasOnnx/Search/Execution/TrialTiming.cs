using System.Globalization;
using NasOnnx.Core;

namespace NasOnnx.Search.Execution;

/// <summary>
/// When one evaluation was handed to its executor, when its worker started and finished, and where (trial_timing.csv):
/// what the search spent waiting for the scheduler versus training. Times in UTC; null where unknown (a result found
/// after a restart, a cached one).
/// </summary>
public sealed record TrialTiming(int Trial, int Rung, string ArchId, string Executor, string? JobId, int Attempts,
    DateTimeOffset Submitted, DateTimeOffset? Started, DateTimeOffset? Finished, DateTimeOffset Observed, string? Host)
{
    public const string FileName = "trial_timing.csv";

    /// <summary>Seconds from submit to the worker's process start (the scheduler's and the process launch's share).</summary>
    public double? QueueSeconds => Started is { } s ? (s - Submitted).TotalSeconds : null;
    public double? RunSeconds => Started is { } s && Finished is { } f ? (f - s).TotalSeconds : null;

    public static void Write(string path, IReadOnlyList<TrialTiming> rows)
    {
        var start = rows.Count > 0 ? rows.Min(r => r.Submitted) : DateTimeOffset.UtcNow;
        string S(DateTimeOffset? t) => t is { } v ? (v - start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "";
        string D(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "";
        Csv.WriteTable(path, ["trial", "rung", "arch_id", "executor", "job_id", "attempts", "submitted_s", "started_s", "finished_s", "observed_s", "queue_s", "run_s", "host"],
            rows.Select(r => (IReadOnlyList<string>)[r.Trial.ToString(CultureInfo.InvariantCulture), r.Rung.ToString(CultureInfo.InvariantCulture), r.ArchId, r.Executor,
                r.JobId ?? "", r.Attempts.ToString(CultureInfo.InvariantCulture), S(r.Submitted), S(r.Started), S(r.Finished), S(r.Observed),
                D(r.QueueSeconds), D(r.RunSeconds), r.Host ?? ""]));
    }
}

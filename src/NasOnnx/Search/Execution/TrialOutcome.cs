using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>
/// How one evaluation ended: with objectives (<see cref="Trial.Ok"/>), diverged (its training hit a non-finite loss:
/// deterministic, never retried), or the job itself failed (cancelled, timed out, out of memory, node lost, crashed:
/// <see cref="Trial.JobFailed"/>, retried by the runner up to `retries` times).
/// </summary>
public sealed record TrialOutcome(string Status, SortedDictionary<string, double>? Objectives, string? Failure)
{
    /// <summary>When the worker started and finished, and where (for trial_timing.csv; null when unknown).</summary>
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public string? Host { get; init; }

    public static TrialOutcome Ok(IReadOnlyDictionary<string, double> objectives) => new(Trial.Ok, Sorted.Of(objectives), null);
    public static TrialOutcome Diverged(string reason) => new(Trial.Diverged, null, reason);
    public static TrialOutcome JobFailed(string reason) => new(Trial.JobFailed, null, reason);
}

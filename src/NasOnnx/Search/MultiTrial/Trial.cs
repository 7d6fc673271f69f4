using NasOnnx.Architectures;
namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// One evaluation of a multi-trial search: a row of search_log.csv. <see cref="Rung"/> 0 is the search itself;
/// higher rungs are successive-halving re-evaluations of the better candidates with more budget.
/// </summary>
public sealed record Trial
{
    /// <summary>1-based, in evaluation order.</summary>
    public required int Number { get; init; }
    public required string ArchId { get; init; }
    /// <summary>The architecture's compact JSON.</summary>
    public required string Architecture { get; init; }
    public int Rung { get; init; }
    /// <summary>Evolution: parent's generation + 1 (random members are 0); REINFORCE: policy updates before the sample.</summary>
    public int Generation { get; init; }
    public IReadOnlyList<string> Parents { get; init; } = [];
    public required SortedDictionary<string, double> Objectives { get; init; }
    /// <summary>The scalar the strategy maximizes (<see cref="IObjective"/>); <see cref="FailedScore"/> for a failed trial.</summary>
    public required double Score { get; init; }
    /// <summary>"ok"; "diverged" when its training stopped on a non-finite loss or gradient; "job_failed" when its worker
    /// process or Slurm job ended without a result (cancelled, timed out, out of memory, node lost) on every attempt.</summary>
    public string Status { get; init; } = Ok;
    /// <summary>Why it failed (the divergence message, the scheduler's state and reason), null when it did not.</summary>
    public string? Failure { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool Failed => Status != Ok;

    public const string Ok = "ok", Diverged = "diverged", JobFailed = "job_failed";

    /// <summary>
    /// What a proposer learns from a failed candidate: the score of a network that gets nothing right, so evolution's
    /// tournaments pass it over and REINFORCE is pushed away from it. Failed trials are never ranked, derived or halved.
    /// </summary>
    public const double FailedScore = 0.0;
}

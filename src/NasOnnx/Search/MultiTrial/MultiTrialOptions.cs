using NasOnnx.Core;

namespace NasOnnx.Search.MultiTrial;

/// <summary>How a multi-trial search runs: budget, seed, where its state lives, successive halving.</summary>
public sealed record MultiTrialOptions
{
    /// <summary>The budget: distinct architectures evaluated at rung 0.</summary>
    public required int Trials { get; init; }
    public long Seed { get; init; }
    /// <summary>Where search_state.json is kept after every proposal (null: in memory only, no resume).</summary>
    public string? StateDir { get; init; }
    /// <summary>Identifies the configuration; a saved state with another fingerprint is discarded, not resumed.</summary>
    public string Fingerprint { get; init; } = "";
    /// <summary>Successive halving: keep the best 1/eta of each rung for the next (used when the evaluator has rungs).</summary>
    public int HalvingEta { get; init; } = 2;
    /// <summary>Stop (space exhausted or policy converged) after this many proposals in a row named known architectures.</summary>
    public int MaxRepeats { get; init; } = 1000;
    /// <summary>Refuses proposals before they are evaluated (latency pre-rejection); null: every proposal is evaluated.</summary>
    public ICandidateFilter? Filter { get; init; }
    /// <summary>Give up (the constraint is probably unreachable for this strategy) after this many rejections in a row; null: 1000 x <see cref="Trials"/>.</summary>
    public int? MaxRejectionsInARow { get; init; }
    /// <summary>
    /// On resume, train the trials that failed (diverged) again, in place, before going on; otherwise a failed trial stays
    /// failed (its divergence is deterministic under the same seed and numerics). For after a fix such as NASONNX_NUMERICS=safe.
    /// </summary>
    public bool RetryFailed { get; init; }
    /// <summary>Tests: return after this many trials in this call, as if killed after the state was saved.</summary>
    public int? StopAfterTrials { get; init; }
    /// <summary>Tests: end the search when this returns true for a new trial (e.g. the known optimum was found).</summary>
    public Func<Trial, bool>? StopWhen { get; init; }
    /// <summary>Where evaluations run (null: in this process, through the evaluator).</summary>
    public Execution.ITrialExecutor? Executor { get; init; }
    /// <summary>
    /// Trials in flight at once. Proposal k + max_concurrent is made right after trial k is observed, and trials are observed
    /// in proposal order, so the search is the same whatever order they finish in (and the same for every executor).
    /// </summary>
    public int MaxConcurrent { get; init; } = 1;
    /// <summary>A job that ends without a result is submitted again this many times before it is recorded as a failed trial.</summary>
    public int Retries { get; init; } = 2;
    public IRunLog? Log { get; init; }
    public CancellationToken Cancellation { get; init; }
}

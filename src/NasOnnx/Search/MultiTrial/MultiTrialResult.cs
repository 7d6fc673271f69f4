namespace NasOnnx.Search.MultiTrial;

/// <summary>What the multi-trial loop returns: every trial (all rungs), the best, and the proposal counts.</summary>
public sealed record MultiTrialResult(IReadOnlyList<Trial> Trials, Trial Best, int Proposals, int Repeats, bool Interrupted)
{
    /// <summary>Proposals refused by <see cref="MultiTrialOptions.Filter"/> (never trained, not counted as trials).</summary>
    public int Rejections { get; init; }
    /// <summary>When each evaluation was submitted, started, finished and observed (trial_timing.csv).</summary>
    public IReadOnlyList<Execution.TrialTiming> Timings { get; init; } = [];
}

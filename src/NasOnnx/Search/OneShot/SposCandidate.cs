namespace NasOnnx.Search.OneShot;

/// <summary>One scored candidate of SPOS' evolution (a row of spos_log.csv).</summary>
public sealed record SposCandidate(int Generation, string ArchId, double Accuracy, string Architecture)
{
    /// <summary>Predicted latency (ms) when the evolution has a latency budget.</summary>
    public double? LatencyMs { get; init; }
}

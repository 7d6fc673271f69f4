namespace NasOnnx.Search.OneShot;

/// <summary>One row of search_log.csv.</summary>
public sealed record SearchEpoch(int Epoch, double WeightLr, double Tau, double TrainLoss, double TrainAcc, double? ArchLoss, double? ArchAcc,
    double Seconds, double MsPerStep)
{
    /// <summary>The supernet's expected latency (ms) after the epoch, when the search has a latency input (<see cref="ExpectedLatency"/>).</summary>
    public double? ExpectedLatencyMs { get; init; }
}

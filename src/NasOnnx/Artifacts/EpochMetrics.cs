namespace NasOnnx.Artifacts;

/// <summary>
/// One row of epochs.csv. RssMb: the process's resident memory after the epoch (native + managed);
/// ManagedMb: the .NET GC heap's share of it (the batch arrays live there), so native growth is RssMb - ManagedMb.
/// </summary>
public sealed record EpochMetrics(
    int Epoch, double Lr, double TrainLoss, double TrainAcc, double ValLoss, double ValAcc,
    double ImagesPerSecond, double Seconds, double DataWaitFraction, double RssMb = 0, double ManagedMb = 0);

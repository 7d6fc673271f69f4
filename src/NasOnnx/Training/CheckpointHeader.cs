using NasOnnx.Artifacts;

namespace NasOnnx.Training;

/// <summary>Where a training run stands when a checkpoint is written: everything besides tensors.</summary>
public sealed record CheckpointHeader
{
    public int Format { get; init; } = CheckpointFile.FormatVersion;
    /// <summary>The run key (stage key / hash of recipe + data + code): a checkpoint is only resumed by the same run.</summary>
    public required string Key { get; init; }
    /// <summary><see cref="NetworkFingerprint.Of"/> of the network the weights belong to.</summary>
    public required string Network { get; init; }
    public string NetworkDescription { get; init; } = "";
    /// <summary>0-based epoch to continue (after an epoch-end checkpoint: the next epoch).</summary>
    public required int Epoch { get; init; }
    /// <summary>Batches of <see cref="Epoch"/> already done (0 at an epoch boundary).</summary>
    public required int Batch { get; init; }
    /// <summary>Optimizer steps done in total (the schedule's position).</summary>
    public required long Step { get; init; }
    /// <summary>Running sums of the epoch in progress (mid-epoch checkpoints), so its metrics come out the same.</summary>
    public double LossSum { get; init; }
    public long Correct { get; init; }
    public long Seen { get; init; }
    public double Seconds { get; init; }
    public double WaitSeconds { get; init; }
    /// <summary>The metrics of every finished epoch (epochs.csv is rewritten from them on resume).</summary>
    public IReadOnlyList<EpochMetrics> History { get; init; } = [];
    public DateTimeOffset Written { get; init; }
}

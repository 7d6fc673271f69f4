using NasOnnx.Reporting;
using NasOnnx.Runtime;

namespace NasOnnx.Training;

/// <summary>Where a training run writes its reports and checkpoints (all optional).</summary>
public sealed record TrainerOptions
{
    /// <summary>epochs.csv: one row per finished epoch, rewritten after every epoch.</summary>
    public string? MetricsCsv { get; init; }
    /// <summary>curves.png: loss and accuracy per epoch, written at the end.</summary>
    public string? CurvesPng { get; init; }
    /// <summary>Checkpoints to resume from and to write; null: none.</summary>
    public CheckpointOptions? Checkpoints { get; init; }
}

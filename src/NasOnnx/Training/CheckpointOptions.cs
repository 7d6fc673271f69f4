using System.Text.RegularExpressions;
using NasOnnx.Reporting;

namespace NasOnnx.Training;

/// <summary>Where and how often a training run writes checkpoints.</summary>
public sealed record CheckpointOptions
{
    /// <summary>The folder (a stage's WorkDir: it survives a killed run).</summary>
    public required string Directory { get; init; }
    /// <summary>The run key written into every checkpoint; checkpoints with another key are refused.</summary>
    public required string Key { get; init; }
    /// <summary>How many checkpoint files to keep (the newest).</summary>
    public int KeepLast { get; init; } = 2;
    /// <summary>Also write a checkpoint every this many optimizer steps inside an epoch (0: only at epoch ends).</summary>
    public int EveryNSteps { get; init; }
    /// <summary>Called after each checkpoint file is published (tests use it to interrupt a run at a known point).</summary>
    public Action<string>? Written { get; init; }
}

using NasOnnx.Reporting;
using NasOnnx.Runtime;
using NasOnnx.Artifacts;

namespace NasOnnx.Training;

/// <summary>What a training run did.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, string? ResumedFrom, long ResumedAtStep, long Steps);

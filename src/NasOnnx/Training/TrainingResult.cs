using System.Diagnostics;
using NasOnnx.Data;
using NasOnnx.Reporting;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;
using NasOnnx.Plots;
using NasOnnx.Runtime;
using NasOnnx.Networks;
using NasOnnx.Artifacts;

namespace NasOnnx.Training;

/// <summary>What a training run did.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, string? ResumedFrom, long ResumedAtStep, long Steps);

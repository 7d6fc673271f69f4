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

/// <summary>The data a training run uses: which images train, which validate, and how pixels become inputs.</summary>
public sealed record TrainingData(Dataset Train, int[] TrainIndices, Dataset Validation, int[] ValidationIndices, Normalization Normalization)
{
    public IReadOnlyList<IAugmentation> Augmentations { get; init; } = [];
}

using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Runtime;

namespace NasOnnx.Training;

/// <summary>The data a training run uses: which images train, which validate, and how pixels become inputs.</summary>
public sealed record TrainingData(Dataset Train, int[] TrainIndices, Dataset Validation, int[] ValidationIndices, Normalization Normalization)
{
    public IReadOnlyList<IAugmentation> Augmentations { get; init; } = [];
}

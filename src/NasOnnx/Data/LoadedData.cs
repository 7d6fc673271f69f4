using NasOnnx.Data;

namespace NasOnnx.Data;

/// <summary>A prepared dataset in memory: the training images with their train/validation split, and the test images.</summary>
public sealed record LoadedData(PreparedDataset Info, Dataset TrainImages, int[] TrainIndices, int[] ValidationIndices, Dataset Test)
{
    /// <summary>When validation_fraction is 0 the test set stands in for validation during training.</summary>
    public (Dataset Data, int[] Indices) ValidationOrTest =>
        ValidationIndices.Length > 0 ? (TrainImages, ValidationIndices) : (Test, Enumerable.Range(0, Test.Count).ToArray());

    /// <summary>Text data with every sequence cut to its first <paramref name="length"/> tokens (same splits).</summary>
    public LoadedData Truncated(int length) => this with { TrainImages = TrainImages.Truncated(length), Test = Test.Truncated(length) };
}

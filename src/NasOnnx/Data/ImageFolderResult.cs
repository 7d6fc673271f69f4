namespace NasOnnx.Data;

/// <summary>What <see cref="ImageFolderPreparer"/> wrote: the counts per split, the training statistics and the skipped images.</summary>
public sealed record ImageFolderResult(
    IReadOnlyList<string> ClassNames, int TrainCount, int ValidationCount, int TestCount,
    Normalization Normalization, IReadOnlyList<SkippedImage> Skipped, long CacheBytes);

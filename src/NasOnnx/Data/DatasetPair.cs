namespace NasOnnx.Data;

/// <summary>The train and test sets of one dataset.</summary>
public sealed record DatasetPair(Dataset Train, Dataset Test);

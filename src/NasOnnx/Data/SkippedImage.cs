namespace NasOnnx.Data;

/// <summary>An image left out by on_bad_image: skip, and why.</summary>
public sealed record SkippedImage(string FilePath, string Reason);

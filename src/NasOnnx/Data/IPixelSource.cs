namespace NasOnnx.Data;

/// <summary>
/// Where a <see cref="Dataset"/>'s raw pixel bytes live: an array in memory (IDX, CIFAR, small image folders) or a
/// memory-mapped cache file (image folders larger than the memory budget), so that readers see one span either way.
/// </summary>
public interface IPixelSource
{
    /// <summary>The number of pixel bytes.</summary>
    long Length { get; }

    /// <summary><paramref name="length"/> bytes from <paramref name="offset"/>; valid as long as the source is alive.</summary>
    ReadOnlySpan<byte> Span(long offset, int length);
}

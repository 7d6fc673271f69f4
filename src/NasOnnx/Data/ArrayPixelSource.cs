namespace NasOnnx.Data;

/// <summary>Pixels held in one managed array: how IDX and CIFAR data have always been kept.</summary>
public sealed class ArrayPixelSource(byte[] pixels) : IPixelSource
{
    public byte[] Pixels { get; } = pixels ?? throw new ArgumentNullException(nameof(pixels));

    public long Length => Pixels.LongLength;

    public ReadOnlySpan<byte> Span(long offset, int length) => Pixels.AsSpan(checked((int)offset), length);
}

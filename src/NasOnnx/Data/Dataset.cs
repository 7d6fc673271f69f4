namespace NasOnnx.Data;

/// <summary>
/// An image-classification dataset: raw 0..255 pixels in N*C*H*W (CHW) order and one label byte per image. The pixels
/// are in memory or in a memory-mapped cache file (<see cref="IPixelSource"/>); labels are always in memory.
/// Normalization and augmentation happen later, in <see cref="BatchLoader"/>.
/// </summary>
public sealed class Dataset
{
    public string Name { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    /// <summary>Count*Channels*Height*Width bytes, image after image, each in CHW order.</summary>
    public IPixelSource PixelSource { get; }
    /// <summary>The pixel array of an in-memory dataset (see <see cref="PixelSource"/> for one that may be mapped).</summary>
    public byte[] Pixels => (PixelSource as ArrayPixelSource)?.Pixels
        ?? throw new InvalidOperationException($"the pixels of {Name} are memory-mapped; read them with Image(i)");
    public bool InMemory => PixelSource is ArrayPixelSource;
    /// <summary>One label per image, each in [0, Classes).</summary>
    public byte[] Labels { get; }
    public int Count => Labels.Length;
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Channels*Height*Width: the number of values in one image.</summary>
    public int ImageSize => Channels * Height * Width;

    public Dataset(string name, int channels, int height, int width, byte[] pixels, byte[] labels, IReadOnlyList<string> classNames)
        : this(name, channels, height, width, new ArrayPixelSource(pixels), labels, classNames)
    {
    }

    public Dataset(string name, int channels, int height, int width, IPixelSource pixels, byte[] labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"image shape {channels}x{height}x{width} must be positive");
        if (classNames.Count is <= 0 or > 256)
            throw new ArgumentOutOfRangeException(nameof(classNames), "a dataset needs 1..256 classes (labels are bytes)");
        if ((long)labels.Length * channels * height * width != pixels.Length)
            throw new ArgumentException(
                $"{pixels.Length} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}", nameof(pixels));
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classNames.Count;
        PixelSource = pixels;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>The pixels of image <paramref name="index"/> (CHW order).</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        return PixelSource.Span((long)index * ImageSize, ImageSize);
    }

    /// <summary>Images per class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Classes];
        foreach (byte l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>A new dataset holding copies of the given images, in the given order.</summary>
    public Dataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new byte[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int j = indices[i];
            Image(j).CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = Labels[j];
        }
        return new Dataset(name ?? Name, Channels, Height, Width, pixels, labels, ClassNames);
    }

    public override string ToString() => $"{Name}: {Count} images {Channels}x{Height}x{Width}, {Classes} classes";
}

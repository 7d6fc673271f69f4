namespace NasOnnx.Data;

/// <summary>
/// An image-classification dataset held in memory: raw 0..255 pixels in N*C*H*W (CHW) order and one
/// label byte per image. Normalization and augmentation happen later, in <see cref="BatchLoader"/>.
/// </summary>
public sealed class Dataset
{
    public string Name { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    /// <summary>Count*Channels*Height*Width bytes, image after image, each in CHW order.</summary>
    public byte[] Pixels { get; }
    /// <summary>One label per image, each in [0, Classes).</summary>
    public byte[] Labels { get; }
    public int Count => Labels.Length;
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Channels*Height*Width: the number of values in one image.</summary>
    public int ImageSize => Channels * Height * Width;

    public Dataset(string name, int channels, int height, int width, byte[] pixels, byte[] labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"image shape {channels}x{height}x{width} must be positive");
        if (classNames.Count is <= 0 or > 256)
            throw new ArgumentOutOfRangeException(nameof(classNames), "a dataset needs 1..256 classes (labels are bytes)");
        if ((long)labels.Length * channels * height * width != pixels.LongLength)
            throw new ArgumentException(
                $"{pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}", nameof(pixels));
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classNames.Count;
        Pixels = pixels;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>The pixels of image <paramref name="index"/> (CHW order).</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        return Pixels.AsSpan(index * ImageSize, ImageSize);
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

namespace NasOnnx.Data;

/// <summary>
/// A classification dataset: one label byte per sample and either images (raw 0..255 pixels in N*C*H*W order, in memory
/// or in a memory-mapped cache file, <see cref="IPixelSource"/>) or token sequences (<see cref="IsText"/>: token ids,
/// <see cref="SequenceLength"/> per sample, padded with <see cref="TokenIds.Pad"/>). One type for both so that splits,
/// loaders, trainers and evaluators work on either unchanged; a text dataset reports its shape as 1 x 1 x SequenceLength.
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
    public bool InMemory => IsText || PixelSource is ArrayPixelSource;
    /// <summary>One label per image, each in [0, Classes).</summary>
    public byte[] Labels { get; }
    public int Count => Labels.Length;
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Token ids, <see cref="SequenceLength"/> per sample (null for images).</summary>
    public int[]? Tokens { get; }
    public bool IsText => Tokens is not null;
    /// <summary>Tokens per sample of a text dataset (its Width); 0 for images.</summary>
    public int SequenceLength => IsText ? Width : 0;

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

    private Dataset(string name, int sequenceLength, int[] tokens, byte[] labels, IReadOnlyList<string> classNames)
        : this(name, 1, 1, sequenceLength, new NoPixels(labels.LongLength * sequenceLength), labels, classNames)
    {
        if (tokens.LongLength != labels.LongLength * sequenceLength)
            throw new ArgumentException($"{tokens.Length} token ids do not hold {labels.Length} sequences of {sequenceLength}", nameof(tokens));
        Tokens = tokens;
    }

    /// <summary>The pixel source of a text dataset: the right length for the shape checks, nothing to read.</summary>
    private sealed class NoPixels(long length) : IPixelSource
    {
        public long Length => length;
        public ReadOnlySpan<byte> Span(long offset, int count) => throw new InvalidOperationException("a text dataset has no pixels");
    }

    /// <summary>A text dataset: <paramref name="tokens"/> holds <paramref name="sequenceLength"/> ids per sample, padded with <see cref="TokenIds.Pad"/>.</summary>
    public static Dataset Text(string name, int sequenceLength, int[] tokens, byte[] labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        return new Dataset(name, sequenceLength, tokens, labels, classNames);
    }

    /// <summary>
    /// A text dataset whose sequences keep their first <paramref name="length"/> tokens (a search trains candidates on
    /// shorter texts, as an image search may on smaller images; the networks take any length). Same samples, same order.
    /// </summary>
    public Dataset Truncated(int length)
    {
        if (Tokens is null) throw new InvalidOperationException($"{Name} holds images, not token sequences");
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (length >= Width) return this;
        var tokens = new int[(long)Count * length];
        for (int i = 0; i < Count; i++) Tokens.AsSpan(i * Width, length).CopyTo(tokens.AsSpan(i * length, length));
        return new Dataset(Name, length, tokens, Labels, ClassNames);
    }

    /// <summary>The token ids of sample <paramref name="index"/> (a text dataset's).</summary>
    public ReadOnlySpan<int> Sequence(int index)
    {
        if (Tokens is null) throw new InvalidOperationException($"{Name} holds images, not token sequences");
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        return Tokens.AsSpan(index * Width, Width);
    }

    /// <summary>The pixels of image <paramref name="index"/> (CHW order).</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if (IsText) throw new InvalidOperationException($"{Name} holds token sequences, not images");
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
        if (Tokens is not null)
        {
            var tokens = new int[(long)indices.Count * Width];
            var textLabels = new byte[indices.Count];
            for (int i = 0; i < indices.Count; i++)
            {
                Sequence(indices[i]).CopyTo(tokens.AsSpan(i * Width, Width));
                textLabels[i] = Labels[indices[i]];
            }
            return Text(name ?? Name, Width, tokens, textLabels, ClassNames);
        }
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

    public override string ToString() => IsText
        ? $"{Name}: {Count} sequences of {SequenceLength} tokens, {Classes} classes"
        : $"{Name}: {Count} images {Channels}x{Height}x{Width}, {Classes} classes";
}

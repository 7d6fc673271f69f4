using System.Buffers.Binary;

namespace NasOnnx.Data;

/// <summary>
/// The decoded images of one split of an image folder, written once by prepare-data so that later stages never decode
/// again. Layout (little-endian): the 8 ASCII bytes "NASIMG01", then int32 count, channels, height, width (24 bytes of
/// header), then count*channels*height*width pixel bytes (each image in CHW order), then count label bytes. Labels go
/// last because a skipped image is only known once it has been decoded, and the pixels stream out before that.
/// </summary>
public static class ImageCacheFile
{
    public const int HeaderSize = 24;
    public static ReadOnlySpan<byte> Magic => "NASIMG01"u8;

    /// <summary>The header for a cache of <paramref name="count"/> images of the given shape.</summary>
    public static byte[] Header(int count, int channels, int height, int width)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), channels);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), height);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), width);
        return header;
    }

    /// <summary>
    /// Opens a cache as a dataset: its pixels read into memory when the file is at most
    /// <paramref name="memoryBudgetBytes"/>, memory-mapped otherwise.
    /// </summary>
    public static Dataset Open(string path, string name, IReadOnlyList<string> classNames, long memoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        long length;
        byte[] header = new byte[HeaderSize];
        byte[] labels;
        int count, channels, height, width;
        try
        {
            using var stream = File.OpenRead(path);
            length = stream.Length;
            stream.ReadExactly(header);
            if (!header.AsSpan(0, 8).SequenceEqual(Magic)) throw Damaged(path, "it does not start with NASIMG01");
            count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
            channels = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            height = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
            width = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
            if (count < 0 || channels is not (1 or 3) || height < 1 || width < 1) throw Damaged(path, $"its header says {count} images of {channels}x{height}x{width}");
            long pixelBytes = (long)count * channels * height * width;
            if (length != HeaderSize + pixelBytes + count) throw Damaged(path, $"it has {length} bytes, not the {HeaderSize + pixelBytes + count} its header implies");
            labels = new byte[count];
            stream.Seek(HeaderSize + pixelBytes, SeekOrigin.Begin);
            stream.ReadExactly(labels);
            foreach (byte label in labels)
                if (label >= classNames.Count) throw Damaged(path, $"it has label {label} but the dataset has {classNames.Count} classes");
            if (length <= memoryBudgetBytes)
            {
                var pixels = new byte[pixelBytes];
                stream.Seek(HeaderSize, SeekOrigin.Begin);
                stream.ReadExactly(pixels);
                return new Dataset(name, channels, height, width, pixels, labels, classNames);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"the image cache {path} cannot be read: {e.Message}", "re-run the prepare-data stage with --force") { FilePath = path };
        }
        var mapped = new MappedPixelSource(path, HeaderSize, (long)count * channels * height * width);
        return new Dataset(name, channels, height, width, mapped, labels, classNames);
    }

    private static NasOnnxException Damaged(string path, string what) =>
        new($"the image cache {Path.GetFileName(path)} is damaged: {what}", "re-run the prepare-data stage with --force") { FilePath = path };

    /// <summary>A short description of a cache's size, for the log.</summary>
    public static string Describe(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}

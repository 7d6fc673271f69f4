namespace NasOnnx.Data;

/// <summary>
/// Streams images into an <see cref="ImageCacheFile"/>: pixels as they come, labels and the final count at the end,
/// so that memory stays bounded however many images a folder holds.
/// </summary>
public sealed class ImageCacheWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly List<byte> _labels = [];
    private readonly int _imageSize;
    private bool _completed;

    public string FilePath { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => _labels.Count;

    public ImageCacheWriter(string path, int channels, int height, int width)
    {
        FilePath = path;
        Channels = channels;
        Height = height;
        Width = width;
        _imageSize = channels * height * width;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _stream.Write(ImageCacheFile.Header(0, channels, height, width));
    }

    public void Add(ReadOnlySpan<byte> chw, byte label)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (chw.Length != _imageSize) throw new ArgumentException($"an image of {chw.Length} bytes, expected {_imageSize}", nameof(chw));
        _stream.Write(chw);
        _labels.Add(label);
    }

    /// <summary>Writes the labels and the real count, and flushes the file to disk.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _stream.Write(_labels.ToArray());
        _stream.Seek(0, SeekOrigin.Begin);
        _stream.Write(ImageCacheFile.Header(_labels.Count, Channels, Height, Width));
        _stream.Flush(flushToDisk: true);
        _completed = true;
        _stream.Dispose();
    }

    public void Dispose()
    {
        _completed = true;
        _stream.Dispose();
    }
}

using System.IO.MemoryMappedFiles;

namespace NasOnnx.Data;

/// <summary>
/// Pixels read from a region of a file through a read-only memory map: the operating system pages images in on demand
/// and drops them under memory pressure, so a data set larger than RAM trains without being loaded. The map stays
/// open while the source is alive (datasets are not disposable; the finalizer releases it).
/// </summary>
public sealed unsafe class MappedPixelSource : IPixelSource, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _start;

    public string FilePath { get; }
    public long Length { get; }

    /// <param name="offset">Where the pixels start in the file.</param>
    /// <param name="length">How many pixel bytes follow.</param>
    public MappedPixelSource(string path, long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        FilePath = path;
        Length = length;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        // A zero-length view would map the whole file; one byte keeps an empty split valid.
        _view = _file.CreateViewAccessor(offset, Math.Max(length, 1), MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _start = p + _view.PointerOffset;
    }

    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_start == null, this);
        if (offset < 0 || length < 0 || offset + length > Length) throw new ArgumentOutOfRangeException(nameof(offset));
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~MappedPixelSource() => Release();

    private void Release()
    {
        if (_start == null) return;
        _start = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

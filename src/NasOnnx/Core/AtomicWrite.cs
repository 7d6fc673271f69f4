using NasOnnx.Runtime;

namespace NasOnnx.Core;

/// <summary>
/// Writes that are all-or-nothing: content goes to a temp file in the same folder, is flushed to disk,
/// then renamed over the target. A process killed at any moment leaves the old file or the new one.
/// </summary>
public static class AtomicWrite
{
    public static void Text(string path, string content) => Bytes(path, System.Text.Encoding.UTF8.GetBytes(content));

    public static void Bytes(string path, ReadOnlySpan<byte> content)
    {
        var bytes = content.ToArray();
        Stream(path, s => s.Write(bytes));
    }

    /// <summary>Lets <paramref name="write"/> fill a temp file, then publishes it at <paramref name="path"/>.</summary>
    public static void Stream(string path, Action<Stream> write) => Commit(Prepare(path, write), path);

    /// <summary>
    /// The first half of <see cref="Stream"/>: the complete content, flushed to disk, in a temp file beside
    /// <paramref name="path"/>. <see cref="Commit"/> renames it into place (a rename needs no free space), so a
    /// caller can do the part that may fail for lack of space before it changes anything else.
    /// </summary>
    public static string Prepare(string path, Action<Stream> write) => AtTempPath(path, temp =>
    {
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        TestFaults.BeforeRename(temp, path);
    });

    /// <summary>Renames a prepared temp file into place.</summary>
    public static void Commit(string temp, string path)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e)
        {
            TryDelete(temp);
            throw CannotWrite(path, e);
        }
    }

    /// <summary>A failed write (disk full, file size limit, quota, I/O error) as one message naming the file.</summary>
    public static NasOnnxException CannotWrite(string path, Exception e) =>
        new($"could not write {Path.GetFileName(path)}: {e.Message}",
            "free disk space (or raise the quota or `ulimit -f` limit) and run again; files written before were left as they were", e) { FilePath = path };

    /// <summary>Lets <paramref name="write"/> create a file at a temp path of its own choosing (e.g. TorchSharp's save), then publishes it.</summary>
    public static void ViaTempPath(string path, Action<string> write) => AtTempPath(path, temp =>
    {
        write(temp);
        TestFaults.BeforeRename(temp, path);
        File.Move(temp, path, overwrite: true);
    });

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh temp path beside <paramref name="path"/> and returns it. On failure the temp
    /// file is deleted; I/O errors (disk full, file size limit) become one message naming <paramref name="path"/>.
    /// </summary>
    private static string AtTempPath(string path, Action<string> work)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            work(temp);
            return temp;
        }
        catch (Exception e) when (e is IOException || IsFileTooLarge(e))
        {
            TryDelete(temp);
            throw CannotWrite(path, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Replaces folder <paramref name="target"/> with the complete folder <paramref name="staged"/>.
    /// The old folder is moved aside first and deleted last, so at every instant the target is either
    /// the old complete folder, absent, or the new complete folder; never a mix.
    /// </summary>
    public static void PublishFolder(string staged, string target)
    {
        string? aside = null;
        if (Directory.Exists(target))
        {
            aside = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Environment.ProcessId}");
            if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
            Directory.Move(target, aside);
            TestFaults.Reached("aside");
        }
        Directory.Move(staged, target);
        if (aside is not null) Directory.Delete(aside, recursive: true);
    }

    /// <summary>
    /// .NET reports EFBIG (a write past the file size limit, `ulimit -f`) as an ArgumentOutOfRangeException with this
    /// message rather than an IOException.
    /// </summary>
    public static bool IsFileTooLarge(Exception e) =>
        e is ArgumentOutOfRangeException && e.Message.StartsWith("Specified file length was too large", StringComparison.Ordinal);

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

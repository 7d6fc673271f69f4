using NasOnnx.Runtime;

namespace NasOnnx.Pipeline;

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
    public static void Stream(string path, Action<Stream> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            TestFaults.BeforeRename(temp, path);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Lets <paramref name="write"/> create a file at a temp path of its own choosing (e.g. TorchSharp's save), then publishes it.</summary>
    public static void ViaTempPath(string path, Action<string> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            TestFaults.BeforeRename(temp, path);
            File.Move(temp, path, overwrite: true);
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

    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

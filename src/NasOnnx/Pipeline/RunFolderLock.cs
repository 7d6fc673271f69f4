namespace NasOnnx.Pipeline;

/// <summary>
/// An exclusive lock on a run folder, so two `nasonnx run` on the same folder cannot interleave writes.
/// Held as an open file with no sharing (an OS-level lock), so it is released when the process dies.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>
    /// The HResult .NET gives the IOException of a file another process holds locked: the lock call's errno on Unix
    /// (EWOULDBLOCK: 11 on Linux, 35 on macOS), ERROR_SHARING_VIOLATION on Windows.
    /// </summary>
    private static bool IsLockedByAnother(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020);

    private readonly FileStream _stream;

    private RunFolderLock(FileStream stream) => _stream = stream;

    public static RunFolderLock Acquire(string runDir)
    {
        string path = Path.Combine(runDir, ".run.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(pid);
            stream.Flush();
            return new RunFolderLock(stream);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NasOnnxException($"the run folder {runDir} is not writable ({e.Message})",
                "fix its permissions or pass a writable folder with --runs-dir") { FilePath = path };
        }
        catch (IOException e) when (e is not DirectoryNotFoundException && !IsLockedByAnother(e))
        {
            throw new NasOnnxException($"cannot write the lock file of the run folder {runDir} ({e.Message})",
                "check free disk space and that the folder is writable, or pass another --runs-dir") { FilePath = path };
        }
        catch (IOException e) when (e is not DirectoryNotFoundException)
        {
            throw new NasOnnxException($"another nasonnx run is using the run folder {runDir} ({e.Message})",
                "wait for it to finish, or pass a different --runs-dir") { FilePath = path };
        }
    }

    public void Dispose() => _stream.Dispose();
}

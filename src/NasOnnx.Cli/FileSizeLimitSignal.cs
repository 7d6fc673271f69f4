using System.Runtime.InteropServices;

namespace NasOnnx.Cli;

/// <summary>
/// Under a file size limit (`ulimit -f`, RLIMIT_FSIZE) Linux sends SIGXFSZ to a process whose write passes the limit,
/// and its default action ends the process on the spot ("File size limit exceeded", exit 153) with no message of
/// ours. Ignored, the write fails with EFBIG instead, which reaches our error handling as an IOException: the user
/// gets one message naming the file, and the atomic writes leave the previous outputs in place.
/// </summary>
internal static class FileSizeLimitSignal
{
    private const int SigXfsz = 25; // Linux (x64, arm64) and macOS
    private static readonly IntPtr Ignore = 1; // SIG_IGN

    public static void IgnoreIt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try { _ = Signal(SigXfsz, Ignore); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);
}

using System.Runtime.InteropServices;

namespace NasOnnx.Core;

/// <summary>
/// TEST-ONLY fault injection, so the reliability tests can hit exact points of a real `nasonnx` process.
/// Users never set these variables; with neither set, every call here is a cheap no-op.
///
/// NASONNX_TEST_KILL_AT=&lt;stage&gt;:&lt;event&gt;[#N] makes the process SIGKILL itself (kill(getpid(), 9): no
/// finally blocks, no flush, exactly what an OOM killer or `kill -9` does) the N-th time (default 1) the running
/// stage reaches the event. Events:
///   start              the stage's staging folder exists, nothing written yet
///   trial              a multi-trial search recorded a trial (its state is saved)
///   checkpoint         a training checkpoint file was published
///   write:&lt;file&gt;       half of &lt;file&gt; (a file name, e.g. model.onnx or pipeline.lock) is in its temp file, not yet renamed
///   publish            the stage's outputs are complete in staging, before the rename into place
///   aside              re-runs only: the old output folder was moved aside, the new one not yet moved in
///   published          the output folder is in place, pipeline.lock not yet updated
/// "*" as the stage matches any stage.
///
/// NASONNX_TEST_FAIL_WRITE=[&lt;stage&gt;:]&lt;file&gt; makes every atomic write of &lt;file&gt; fail half-way with the
/// IOException a full disk gives (ENOSPC), to test the disk-full path without root or a tiny filesystem.
/// </summary>
public static class TestFaults
{
    public const string KillVariable = "NASONNX_TEST_KILL_AT";
    public const string FailWriteVariable = "NASONNX_TEST_FAIL_WRITE";

    /// <summary>ENOSPC on Linux; the HResult .NET gives the IOException of a full disk there.</summary>
    public const int NoSpaceErrno = 28;

    private static readonly string? KillAt = Environment.GetEnvironmentVariable(KillVariable);
    private static readonly string? FailWrite = Environment.GetEnvironmentVariable(FailWriteVariable);
    private static readonly Dictionary<string, int> Seen = [];

    /// <summary>The stage the pipeline runner is running now (null outside a stage).</summary>
    public static string? CurrentStage { get; set; }

    /// <summary>Marks that the running stage reached <paramref name="eventName"/>; dies here if the test asked for it.</summary>
    public static void Reached(string eventName)
    {
        if (KillAt is null || !Matches(KillAt, eventName, out int nth)) return;
        int count;
        lock (Seen) Seen[eventName] = count = Seen.GetValueOrDefault(eventName) + 1;
        if (count == nth) KillSelf();
    }

    /// <summary>
    /// Called by atomic writes once <paramref name="tempPath"/> holds the content meant for <paramref name="targetPath"/>:
    /// cuts the temp file to half and then dies, or fails like a full disk, when a test asked for that file.
    /// </summary>
    public static void BeforeRename(string tempPath, string targetPath)
    {
        if (KillAt is null && FailWrite is null) return;
        string file = Path.GetFileName(targetPath);
        bool kill = KillAt is not null && Matches(KillAt, "write:" + file, out int nth) && Count("write:" + file) == nth;
        bool fail = FailWrite is not null && MatchesFile(FailWrite, file);
        if (!kill && !fail) return;
        using (var s = new FileStream(tempPath, FileMode.Open, FileAccess.Write)) s.SetLength(s.Length / 2);
        if (kill) KillSelf();
        throw new IOException($"No space left on device : '{tempPath}'", NoSpaceErrno);
    }

    private static int Count(string eventName)
    {
        lock (Seen) return Seen[eventName] = Seen.GetValueOrDefault(eventName) + 1;
    }

    private static bool Matches(string spec, string eventName, out int nth)
    {
        nth = 1;
        int hash = spec.LastIndexOf('#');
        if (hash > 0 && int.TryParse(spec[(hash + 1)..], out int n)) { nth = n; spec = spec[..hash]; }
        int colon = spec.IndexOf(':');
        if (colon < 0) return false;
        string stage = spec[..colon];
        return (stage == "*" || stage == CurrentStage) && spec[(colon + 1)..] == eventName;
    }

    private static bool MatchesFile(string spec, string file)
    {
        int colon = spec.IndexOf(':');
        if (colon < 0) return spec == file;
        string stage = spec[..colon];
        return (stage == "*" || stage == CurrentStage) && spec[(colon + 1)..] == file;
    }

    private static void KillSelf()
    {
        Console.Out.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = Kill(Environment.ProcessId, 9);
        System.Diagnostics.Process.GetCurrentProcess().Kill(); // elsewhere (and should kill() ever return)
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

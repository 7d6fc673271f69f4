using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Slurm's command-line tools (sbatch, squeue, scontrol, sacct, scancel): we drive a cluster the way a user does, with no
/// daemon of our own. A missing or failing command is one <see cref="NasOnnxException"/> naming the command line and what it said.
/// </summary>
public static class SlurmClient
{
    /// <summary>Job states in which a job is still queued or running (it may yet write its result).</summary>
    private static readonly HashSet<string> Alive = new(StringComparer.Ordinal)
        { "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD" };

    /// <summary>Submits a batch script; returns the job id.</summary>
    public static string Submit(string script, string jobName, string outputPattern, string workDir, SlurmResources resources, string purpose)
    {
        var args = new List<string> { "--parsable", "--job-name=" + jobName, "--output=" + outputPattern, "--chdir=" + workDir };
        args.AddRange(resources.SbatchArgs());
        args.Add(script);
        var (code, stdout, stderr) = Run("sbatch", args);
        string id = stdout.Trim().Split(';')[0];
        if (code != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new NasOnnxException($"`sbatch {string.Join(" ", args)}` failed{(code != 0 ? $" (exit {code})" : "")}: {First(stderr, stdout)}",
                $"check that Slurm runs (`sinfo`) and that {purpose} asks for what the cluster has (partition, account, cpus, mem, time, gres)");
        return id;
    }

    /// <summary>The job's state while Slurm still knows it: (state, reason, exit code) or null when it no longer does.</summary>
    public static (string State, string Reason, string ExitCode)? Query(string jobId)
    {
        var (code, stdout, _) = Run("squeue", ["-h", "-j", jobId, "-o", "%T|%r"], throwIfMissing: true);
        if (code == 0 && stdout.Trim().Split('|') is [var s, var r] && s.Length > 0)
            return (s.Trim(), r.Trim(), "");
        // left the queue: scontrol knows it for MinJobAge seconds, sacct (with slurmdbd) for longer
        var (sc, so, _) = Run("scontrol", ["show", "job", "-o", jobId], throwIfMissing: false);
        if (sc == 0 && Field(so, "JobState") is { Length: > 0 } state)
            return (state, Field(so, "Reason") ?? "", Field(so, "ExitCode") ?? "");
        var (ac, ao, _) = Run("sacct", ["-n", "-X", "-P", "-j", jobId, "-o", "State,ExitCode,Reason"], throwIfMissing: false);
        if (ac == 0 && ao.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split('|') is [var st, var ex, ..] parts && st.Length > 0)
            return (st.Split(' ')[0], parts.Length > 2 ? parts[2] : "", ex);
        return null;
    }

    public static bool IsAlive(string state) => Alive.Contains(state);

    /// <summary>A finished job's state in words: "TIMEOUT", "OUT_OF_MEMORY", "CANCELLED", "FAILED (exit 1:0)", "NODE_FAIL" ...</summary>
    public static string Describe(string state, string reason, string exitCode) =>
        state + (exitCode is { Length: > 0 } e && e != "0:0" ? $" (exit {e})" : "") + (reason is { Length: > 0 } r && r != "None" ? $", reason {r}" : "");

    public static void Cancel(IReadOnlyList<string> jobIds)
    {
        if (jobIds.Count == 0) return;
        Run("scancel", jobIds, throwIfMissing: false);
    }

    /// <summary>Jobs of this user still queued or running with this name (a driver killed right after sbatch finds its job again).</summary>
    public static string? FindByName(string jobName)
    {
        var (code, stdout, _) = Run("squeue", ["-h", "--me", "-n", jobName, "-o", "%i|%T"], throwIfMissing: false);
        if (code != 0) return null;
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))
            .FirstOrDefault(p => p.Length == 2 && IsAlive(p[1].Trim()))?[0].Trim();
    }

    private static string? Field(string line, string name)
    {
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (part.StartsWith(name + "=", StringComparison.Ordinal)) return part[(name.Length + 1)..];
        return null;
    }

    private static string First(string a, string b) =>
        (a.Trim().Length > 0 ? a : b).Trim().Split('\n').FirstOrDefault()?.Trim() is { Length: > 0 } line ? line : "no output";

    /// <summary>Runs a Slurm command; a missing command throws (for the ones we cannot do without) or answers exit 127.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string command, IReadOnlyList<string> args, bool throwIfMissing = true)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                p.Kill(entireProcessTree: true);
                throw new NasOnnxException($"`{command} {string.Join(" ", args)}` did not answer within 60 s", "check that slurmctld is running and reachable (`sinfo`)");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (Win32Exception) when (throwIfMissing)
        {
            throw new NasOnnxException($"`{command}` was not found: Slurm's client commands are not installed on this machine (or not on PATH)",
                "install them (Debian: apt-get install slurm-client) and check `sinfo` answers, or use executor: processes or local");
        }
        catch (Win32Exception)
        {
            return (127, "", $"{command}: not found");
        }
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}

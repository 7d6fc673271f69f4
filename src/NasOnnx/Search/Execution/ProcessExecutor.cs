using System.Diagnostics;
using NasOnnx.Core;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Runs each trial as a `nasonnx trial` worker process on this machine (at most max_concurrent at once, each with
/// trial_threads Torch threads). A worker's output goes to worker.log in its trial folder, never to a pipe, so workers
/// outlive a killed driver; the next driver re-attaches to them by pid (checking the pid still runs that trial's spec).
/// </summary>
public sealed class ProcessExecutor(System.Text.Json.JsonElement stage, string stateDir, int threads, CachingEvaluator? cache, IRunLog log)
    : RemoteExecutor(stage, stateDir, threads, cache, log, TimeSpan.FromMilliseconds(200))
{
    public const string LogFile = "worker.log";

    private readonly Dictionary<string, (Process Process, string Spec)> _children = new(StringComparer.Ordinal);

    public override string Name => "processes";

    protected override string Start(TrialTask task, string specPath, string dir, IReadOnlyList<string> workerArgs, bool launchedBefore)
    {
        // a driver killed right after starting this worker, before saving its pid: the worker is still ours
        if (launchedBefore && RunningWorkerOf(specPath) is { } pid)
        {
            Log.Info($"trial {task.Number} ({task.Key}): re-attached to worker process {pid}, started before this driver");
            return pid;
        }
        // sh execs the worker with its output in a file: the pid is the worker's, and it survives the driver
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = dir, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec \"$@\" >{WorkerCommand.Quote(Path.Combine(dir, LogFile))} 2>&1 </dev/null");
        psi.ArgumentList.Add("nasonnx-trial");
        foreach (var a in workerArgs) psi.ArgumentList.Add(a);
        psi.Environment["NASONNX_THREADS"] = Threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new NasOnnxException($"cannot start a worker process ({string.Join(" ", workerArgs)}): {e.Message}",
                $"check that /bin/sh and the nasonnx command exist, or set {WorkerCommand.Variable}");
        }
        string id = process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _children[id] = (process, specPath);
        return id;
    }

    protected override string? Ended(string jobId, string dir)
    {
        if (_children.TryGetValue(jobId, out var child))
        {
            if (!child.Process.HasExited) return null;
            int code = child.Process.ExitCode;
            child.Process.Dispose();
            _children.Remove(jobId);
            return $"worker process {jobId} exited with code {code}{(code > 128 ? $" (signal {code - 128})" : "")} without a result: {Tail(Path.Combine(dir, LogFile))}";
        }
        // a worker started by a driver that was killed: still ours if its command line names this trial's spec
        string spec = Path.Combine(dir, TrialSpec.FileName);
        if (RunsSpec(jobId, spec)) return null;
        return $"worker process {jobId} (started before this driver) is gone without a result: {Tail(Path.Combine(dir, LogFile))}";
    }

    private static string? RunningWorkerOf(string spec)
    {
        if (!Directory.Exists("/proc")) return null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            string pid = Path.GetFileName(dir);
            if (pid.All(char.IsAsciiDigit) && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) && RunsSpec(pid, spec)) return pid;
        }
        return null;
    }

    private static bool RunsSpec(string pid, string spec)
    {
        try
        {
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Split('\0').Contains(spec);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    protected override void Cancel(IReadOnlyList<string> jobIds)
    {
        foreach (var id in jobIds)
        {
            try
            {
                if (_children.TryGetValue(id, out var child)) child.Process.Kill(entireProcessTree: true);
                else if (int.TryParse(id, out int pid)) Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
        }
    }

    public override void Dispose()
    {
        foreach (var (process, _) in _children.Values) process.Dispose();
        _children.Clear();
    }
}

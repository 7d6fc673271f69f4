using NasOnnx.Core;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Runs each trial as a Slurm job (one job per trial): a batch script in the trial's folder that execs
/// `nasonnx trial spec.json`, submitted with the search stage's slurm_* resources; its output goes to slurm-&lt;id&gt;.out
/// beside it. The run folder must be on a file system the nodes share. A job that ends without a result (cancelled,
/// preempted and not requeued, over its time or memory, node failure, crash) is reported with the state and reason
/// squeue/scontrol/sacct give; the runner retries it.
/// </summary>
public sealed class SlurmExecutor(System.Text.Json.JsonElement stage, string stateDir, int threads, CachingEvaluator? cache, IRunLog log, SlurmResources resources)
    : RemoteExecutor(stage, stateDir, threads, cache, log, TimeSpan.FromSeconds(1))
{
    public const string Script = "job.sh";

    public override string Name => "slurm";

    protected override string Start(TrialTask task, string specPath, string dir, IReadOnlyList<string> workerArgs, bool launchedBefore)
    {
        string jobName = JobName(task);
        // a driver killed right after sbatch, before saving the job id: that job is still ours
        if (launchedBefore && SlurmClient.FindByName(jobName) is { } running)
        {
            Log.Info($"trial {task.Number} ({task.Key}): re-attached to Slurm job {running}, submitted before this driver started");
            return running;
        }
        string script = Path.Combine(dir, Script);
        AtomicWrite.Text(script, "#!/bin/bash\n" +
            "# written by nasonnx: one trial of a multi-trial search\n" +
            $"export NASONNX_THREADS={Threads}\n" +
            $"exec {WorkerCommand.Shell(workerArgs)}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string id = SlurmClient.Submit(script, jobName, Path.Combine(dir, "slurm-%j.out"), dir, resources with { Cpus = Math.Max(resources.Cpus, Threads) },
            "the search stage's slurm_* params");
        Log.Info($"trial {task.Number} ({task.Key}){(task.Attempt > 1 ? $" attempt {task.Attempt}" : "")}: submitted as Slurm job {id}");
        return id;
    }

    /// <summary>nasonnx-&lt;hash of the search's state folder&gt;-&lt;arch&gt;-r&lt;rung&gt;: unique per search and trial, so a job can be found again by name.</summary>
    private string JobName(TrialTask task) => $"{JobNamePrefix(StateDir)}-{task.Key}";

    /// <summary>What the names of one search's jobs start with (squeue -n, scontrol show job).</summary>
    public static string JobNamePrefix(string stateDir) => $"nasonnx-{ContentHash.OfString(Path.GetFullPath(stateDir))[..8]}";

    protected override string? Ended(string jobId, string dir)
    {
        var state = SlurmClient.Query(jobId);
        if (state is { } s && SlurmClient.IsAlive(s.State)) return null;
        string tail = Tail(Path.Combine(dir, $"slurm-{jobId}.out"));
        string what = state is { } e ? $"Slurm job {jobId} ended {SlurmClient.Describe(e.State, e.Reason, e.ExitCode)}"
            : $"Slurm job {jobId} left the queue and Slurm no longer knows it";
        return $"{what} without a result{(tail.Length > 0 ? $": {tail}" : "")}";
    }

    protected override void Cancel(IReadOnlyList<string> jobIds) => SlurmClient.Cancel(jobIds);
}

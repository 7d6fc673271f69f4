using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Runtime;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>
/// What the processes and slurm executors share: each task gets a folder (state/trials/&lt;arch&gt;-r&lt;rung&gt;/) with its
/// spec.json; a worker (`nasonnx trial spec.json`) writes result.json there atomically. Results already in the cache
/// (evaluations.jsonl) or in the folder (a job that finished while the driver was down) are taken without a new job.
/// Every result read is appended to the cache, so a resumed search never trains an architecture twice.
/// </summary>
public abstract class RemoteExecutor : ITrialExecutor
{
    private readonly JsonElement _stage;
    private readonly string _stateDir;
    private readonly CachingEvaluator? _cache;
    private readonly Dictionary<string, TrialOutcome> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    protected RemoteExecutor(JsonElement stage, string stateDir, int threads, CachingEvaluator? cache, IRunLog log, TimeSpan pollInterval)
    {
        (_stage, _stateDir, _cache, Log, PollInterval) = (stage, stateDir, cache, log, pollInterval);
        Threads = Math.Max(1, threads);
        Command = WorkerCommand.Resolve();
    }

    public abstract string Name { get; }
    protected IRunLog Log { get; }
    /// <summary>The search's state folder (trials/ holds one folder per task).</summary>
    protected string StateDir => _stateDir;
    protected int Threads { get; }
    protected TimeSpan PollInterval { get; }
    /// <summary>How a worker starts: the nasonnx command line.</summary>
    protected IReadOnlyList<string> Command { get; }


    public string TaskDir(TrialTask task) => Path.Combine(_stateDir, "trials", task.Key);
    private string ResultPath(TrialTask task) => Path.Combine(TaskDir(task), TrialResult.FileName);

    /// <summary>
    /// Starts a worker for the spec; returns its job id (a pid, a Slurm job id). <paramref name="launchedBefore"/>: this trial was
    /// submitted before (a retry, or a driver killed before it saved the job id), so a worker of it may still be running.
    /// </summary>
    protected abstract string Start(TrialTask task, string specPath, string dir, IReadOnlyList<string> workerArgs, bool launchedBefore);

    /// <summary>Null while the job is queued or running; once it has ended, why (or "" when it ended normally).</summary>
    protected abstract string? Ended(string jobId, string dir);

    /// <summary>Stops jobs (Ctrl-C); best effort.</summary>
    protected abstract void Cancel(IReadOnlyList<string> jobIds);

    public string? Submit(TrialTask task)
    {
        if (Cached(task) is { } known) { _known[task.Key] = known; return null; }
        string dir = TaskDir(task);
        if (TrialResult.TryLoad(ResultPath(task)) is { } done)
        {
            Log.Info($"trial {task.Number} ({task.Key}): taking the result a worker wrote before this driver started");
            _known[task.Key] = Record(task, done);
            return null;
        }
        Directory.CreateDirectory(dir);
        string spec = Path.Combine(dir, TrialSpec.FileName);
        bool launchedBefore = File.Exists(spec);
        new TrialSpec { Stage = _stage, Architecture = JsonDocument.Parse(task.Architecture.ToJson(indented: false)).RootElement.Clone(), Rung = task.Rung, Number = task.Number, Attempt = task.Attempt, Threads = Threads, Result = ResultPath(task) }.Save(spec);
        string id = Start(task, spec, dir, [.. Command, "trial", spec], launchedBefore);
        _inFlight.Add(id);
        return id;
    }

    public TrialOutcome Wait(TrialTask task, string? jobId, CancellationToken cancellation)
    {
        if (_known.Remove(task.Key, out var known)) return known;
        if (jobId is null)
        {
            // submitted as known before a restart: known again, or resubmit
            if (Cached(task) is { } cached) return cached;
            if (TrialResult.TryLoad(ResultPath(task)) is { } r) return Record(task, r);
            return TrialOutcome.JobFailed("no job was recorded for this trial");
        }
        string dir = TaskDir(task);
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (TrialResult.TryLoad(ResultPath(task)) is { } result)
            {
                _inFlight.Remove(jobId);
                return Record(task, result);
            }
            if (Ended(jobId, dir) is { } reason)
            {
                // the result may have landed between the two checks
                if (TrialResult.TryLoad(ResultPath(task)) is not null) continue;
                _inFlight.Remove(jobId);
                return TrialOutcome.JobFailed(reason.Length > 0 ? reason : $"job {jobId} ended without writing {ResultPath(task)}");
            }
            cancellation.WaitHandle.WaitOne(PollInterval);
        }
    }

    public void CancelAll(IRunLog? log)
    {
        if (_inFlight.Count == 0) return;
        var ids = _inFlight.ToList();
        Cancel(ids);
        _inFlight.Clear();
        (log ?? Log).Warn($"interrupted: cancelled {ids.Count} {Name} job{(ids.Count == 1 ? "" : "s")} this search had running ({string.Join(", ", ids)}); " +
                          "run again to resume (cancelled trials are submitted again)");
    }

    private TrialOutcome? Cached(TrialTask task)
    {
        if (_cache is null) return null;
        try
        {
            return _cache.TryGet(task.Architecture, task.Rung) is { } o ? TrialOutcome.Ok(o) : null;
        }
        catch (DivergedException e)
        {
            return TrialOutcome.Diverged(e.Message);
        }
    }

    private TrialOutcome Record(TrialTask task, TrialResult result)
    {
        var outcome = result.ToOutcome();
        if (outcome.Status == Trial.Ok) _cache?.Record(task.Architecture, task.Rung, outcome.Objectives!);
        else if (outcome.Status == Trial.Diverged)
            _cache?.RecordFailure(task.Architecture, task.Rung, new DivergedException(result.Loop ?? "training", result.What ?? result.Failure ?? "diverged", result.Where));
        return outcome;
    }

    /// <summary>The last lines of a worker's log that say what went wrong (its `error:` line, else the tail).</summary>
    protected static string Tail(string logPath)
    {
        try
        {
            if (!File.Exists(logPath)) return "";
            var lines = File.ReadLines(logPath).Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(20).ToList();
            var error = lines.LastOrDefault(l => l.Contains("error:", StringComparison.OrdinalIgnoreCase));
            return (error ?? lines.LastOrDefault() ?? "").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public virtual void Dispose() { }
}

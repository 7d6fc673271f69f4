using NasOnnx.Core;
using NasOnnx.Pipeline;
using NasOnnx.Search.Execution;
using NasOnnx.Search;
using NasOnnx.Tests.Search.MultiTrial;

namespace NasOnnx.Tests.Search.Execution;

/// <summary>
/// A fake parallel executor: tasks "run" as soon as they are submitted and finish in a seeded random order, which the
/// runner cannot see; a job can be made to fail (cancelled, timed out) on given attempts. Job ids outlive a runner, so a
/// second runner (a restarted driver) re-attaches to jobs the first submitted. It counts every real evaluation.
/// </summary>
public sealed class ScrambledExecutor(IEvaluator evaluator, int seed) : ITrialExecutor
{
    private readonly Random _rng = new(seed);
    private readonly Dictionary<string, (TrialTask Task, TrialOutcome? Outcome)> _jobs = [];
    private int _nextId;

    /// <summary>(trial number, attempt) pairs whose job ends without a result, and the reason given.</summary>
    public Dictionary<(int Number, int Attempt), string> Failures { get; } = [];
    public List<string> FinishOrder { get; } = [];
    public int Submissions { get; private set; }
    public int Cancelled { get; private set; }

    public string Name => "scrambled";

    public string? Submit(TrialTask task)
    {
        Submissions++;
        string id = $"job{++_nextId}";
        _jobs[id] = (task, null);
        return id;
    }

    public TrialOutcome Wait(TrialTask task, string? jobId, CancellationToken cancellation)
    {
        Assert.NotNull(jobId);
        // finish every job still running, in a random order, until this one has finished
        while (_jobs[jobId!].Outcome is null)
        {
            var running = _jobs.Where(j => j.Value.Outcome is null).Select(j => j.Key).ToList();
            string next = running[_rng.Next(running.Count)];
            var t = _jobs[next].Task;
            _jobs[next] = (t, Finish(t));
            FinishOrder.Add(t.Architecture.ArchId);
        }
        return _jobs[jobId!].Outcome!;
    }

    private TrialOutcome Finish(TrialTask t) =>
        Failures.TryGetValue((t.Number, t.Attempt), out var reason) ? TrialOutcome.JobFailed(reason) : TrialOutcome.Ok(evaluator.Evaluate(t.Architecture, t.Rung, default));

    public void CancelAll(IRunLog? log)
    {
        foreach (var id in _jobs.Where(j => j.Value.Outcome is null).Select(j => j.Key).ToList())
        {
            _jobs[id] = (_jobs[id].Task, TrialOutcome.JobFailed("cancelled"));
            Cancelled++;
        }
    }
}

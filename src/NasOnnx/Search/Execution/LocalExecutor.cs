using NasOnnx.Core;
using NasOnnx.Search;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Evaluates in this process, one task at a time, when the runner waits for it (tasks are waited for in proposal order).
/// With max_concurrent N it makes the same proposals as the parallel executors at N, only one after another.
/// </summary>
public sealed class LocalExecutor(IEvaluator evaluator) : ITrialExecutor
{
    public string Name => "local";

    public string? Submit(TrialTask task) => null;

    public TrialOutcome Wait(TrialTask task, string? jobId, CancellationToken cancellation)
    {
        var started = DateTimeOffset.UtcNow;
        TrialOutcome outcome;
        try
        {
            outcome = TrialOutcome.Ok(evaluator.Evaluate(task.Architecture, task.Rung, cancellation));
        }
        catch (Runtime.DivergedException e)
        {
            outcome = TrialOutcome.Diverged(e.Message);
        }
        return outcome with { Started = started, Finished = DateTimeOffset.UtcNow, Host = Environment.MachineName };
    }

    public void CancelAll(IRunLog? log) { }
}

using NasOnnx.Core;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Where multi-trial evaluations run: in this process (<see cref="LocalExecutor"/>), in worker processes on this machine
/// (<see cref="ProcessExecutor"/>) or as Slurm jobs (<see cref="SlurmExecutor"/>). The runner submits up to
/// `max_concurrent` tasks and waits for them in proposal order, so what a search does never depends on which finishes first.
/// A job id returned by <see cref="Submit"/> is saved in the search state: after the driver is killed, <see cref="Wait"/>
/// with that id re-attaches to the job instead of training again.
/// </summary>
public interface ITrialExecutor : IDisposable
{
    /// <summary>local, processes or slurm.</summary>
    string Name { get; }

    /// <summary>Starts the task; returns the id to re-attach with (null: nothing outlives this process).</summary>
    string? Submit(TrialTask task);

    /// <summary>Blocks until the task submitted under <paramref name="jobId"/> (maybe by a driver killed since) has ended.</summary>
    TrialOutcome Wait(TrialTask task, string? jobId, CancellationToken cancellation);

    /// <summary>Ctrl-C: cancels every job it submitted that has not ended, and says which.</summary>
    void CancelAll(IRunLog? log);

    void IDisposable.Dispose() { }
}

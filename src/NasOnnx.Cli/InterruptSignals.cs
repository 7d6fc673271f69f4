using System.Runtime.InteropServices;

namespace NasOnnx.Cli;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation, so a run stops cleanly: a training loop at its next
/// step, a search after cancelling the worker processes or Slurm jobs it submitted (and saying which). A second signal
/// ends the process at once, as usual. SIGTERM matters on clusters: Slurm sends it when a job is cancelled or over time.
/// </summary>
public sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public InterruptSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    public CancellationToken Token => _source.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return; // the second one: the default action ends the process
        context.Cancel = true;
        Console.Error.WriteLine($"nasonnx: {context.Signal} received, stopping (send it again to end at once)");
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _source.Dispose();
    }
}

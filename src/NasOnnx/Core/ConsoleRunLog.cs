using System.Diagnostics;
using Spectre.Console;

namespace NasOnnx.Core;

/// <summary>
/// Reports to a Spectre console. On an interactive terminal a progress task draws a live bar; when the
/// output is redirected (CI, logs) it falls back to a plain line every few seconds and one at the end,
/// so logs stay readable and short.
/// </summary>
public sealed class ConsoleRunLog(IAnsiConsole console, bool? interactive = null, TimeSpan? plainInterval = null) : IRunLog
{
    private readonly bool _interactive = interactive ?? (console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected);
    private readonly TimeSpan _plainInterval = plainInterval ?? TimeSpan.FromSeconds(10);
    private readonly object _gate = new();

    public void Info(string message)
    {
        lock (_gate) console.MarkupLine(Markup.Escape(message));
    }

    public void Warn(string message)
    {
        lock (_gate) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
    }

    public IProgressTask Progress(string label, long total) =>
        _interactive ? new BarTask(this, label, total) : new PlainTask(this, label, total, _plainInterval);

    private static string Rate(long done, Stopwatch watch) =>
        watch.Elapsed.TotalSeconds > 0 ? $"{done / watch.Elapsed.TotalSeconds:0.#}/s" : "";

    /// <summary>A one-line bar redrawn in place with carriage returns (works under any outer rendering).</summary>
    private sealed class BarTask(ConsoleRunLog log, string label, long total) : IProgressTask
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private long _done;
        private string? _status;
        private long _lastDrawMs = -1000;

        public void Advance(long amount, string? status = null)
        {
            _done += amount;
            _status = status ?? _status;
            if (_watch.ElapsedMilliseconds - _lastDrawMs < 100 && _done < total) return;
            _lastDrawMs = _watch.ElapsedMilliseconds;
            Draw(final: false);
        }

        private void Draw(bool final)
        {
            double frac = total > 0 ? Math.Clamp((double)_done / total, 0, 1) : 0;
            const int barWidth = 30;
            int filled = (int)(frac * barWidth);
            string bar = new string('#', filled) + new string('-', barWidth - filled);
            string eta = frac > 0 && !final ? $" eta {TimeSpan.FromSeconds(_watch.Elapsed.TotalSeconds * (1 - frac) / frac):mm\\:ss}" : "";
            string line = $"{label} [{bar}] {_done}/{total} {frac * 100,5:0.0}%{eta} {_status}";
            lock (log._gate)
            {
                int width = Math.Max(20, Console.WindowWidth - 1);
                Console.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
                if (final) Console.WriteLine();
            }
        }

        public void Dispose() => Draw(final: true);
    }

    private sealed class PlainTask(ConsoleRunLog log, string label, long total, TimeSpan interval) : IProgressTask
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan _lastLine = TimeSpan.Zero;
        private long _done;
        private string? _status;

        public void Advance(long amount, string? status = null)
        {
            _done += amount;
            _status = status ?? _status;
            if (_watch.Elapsed - _lastLine < interval) return;
            _lastLine = _watch.Elapsed;
            log.Info($"{label}: {_done}/{total} ({(total > 0 ? 100.0 * _done / total : 0):0}%) {Rate(_done, _watch)} {_status}".TrimEnd());
        }

        public void Dispose() =>
            log.Info($"{label}: done {_done}/{total} in {_watch.Elapsed.TotalSeconds:0.0}s {_status}".TrimEnd());
    }
}

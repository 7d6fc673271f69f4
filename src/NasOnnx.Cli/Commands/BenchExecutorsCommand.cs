using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// `nasonnx bench executors PIPELINE`: runs a pipeline's multi-trial search stage once per executor (local, processes,
/// slurm) at the same max_concurrent and trial threads, in one run folder (the stages before the search run once, so every
/// executor searches the same data and latency table), and reports side by side: the search stage's wall time, the median
/// time from submit to the worker's start (scheduling + process launch) and of a trial's run, the driver's CPU time per
/// trial and its peak memory, and whether search.json (less its measured wall time and latencies) and search_log.csv came out identical.
/// </summary>
public sealed class BenchExecutorsCommand(IAnsiConsole console) : Command<BenchExecutorsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("A pipeline with a multi-trial search stage, e.g. pipeline/quickstart.yaml")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--stage <NAME>")]
        [Description("The search stage. Default search")]
        public string Stage { get; init; } = "search";

        [CommandOption("--executors <LIST>")]
        [Description("Comma-separated executors, run in this order. Default slurm,processes,local")]
        public string Executors { get; init; } = "slurm,processes,local";

        [CommandOption("--max-concurrent <N>")]
        [Description("Trials in flight. Default 2")]
        public int MaxConcurrent { get; init; } = 2;

        [CommandOption("--trial-threads <N>")]
        [Description("Torch threads per trial. Default 1")]
        public int TrialThreads { get; init; } = 1;

        [CommandOption("--set <KEY=VALUE>")]
        [Description("More overrides, as for `nasonnx run` (e.g. search.trials=20); repeatable")]
        public string[] Set { get; init; } = [];

        [CommandOption("--runs-dir <DIR>")]
        [Description("Where the run folder goes. Default: a new temporary folder")]
        public string? RunsDir { get; init; }

        [CommandOption("--out <CSV>")]
        [Description("Also write the table as CSV")]
        public string? Out { get; init; }
    }

    private sealed record Row(string Executor, int Trials, double StageSeconds, double? QueueMedian, double? QueueMax, double? RunMedian,
        double DriverCpuPerTrial, double DriverPeakMb, bool Identical);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var registry = StageCatalog.CreateRegistry();
        var full = new PipelineParser(registry).ParseFile(settings.Pipeline);
        int index = full.Stages.ToList().IndexOf(full.Stage(settings.Stage));
        var pipeline = full with { Stages = full.Stages.Take(index + 1).ToList() };
        string runsDir = settings.RunsDir ?? Directory.CreateTempSubdirectory("nasonnx-bench-executors-").FullName;
        var log = new ConsoleRunLog(console);
        var rows = new List<Row>();
        (string Search, string Log)? first = null;
        foreach (var executor in settings.Executors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            console.MarkupLine($"[bold]{Markup.Escape(executor)}[/]: {settings.MaxConcurrent} at once, {settings.TrialThreads} thread(s) each");
            string[] sets = [.. settings.Set, $"{settings.Stage}.executor={executor}", $"{settings.Stage}.max_concurrent={settings.MaxConcurrent}",
                $"{settings.Stage}.trial_threads={settings.TrialThreads}"];
            var process = Process.GetCurrentProcess();
            GC.Collect();
            var cpuBefore = process.TotalProcessorTime;
            long peak = 0;
            using var sampler = new Timer(_ => { process.Refresh(); Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), process.WorkingSet64)); }, null, 0, 250);
            var result = new PipelineRunner(registry, log).Run(pipeline, new RunOptions { RunsDir = runsDir, Sets = sets, Force = [settings.Stage], Cancellation = cancellation });
            sampler.Dispose();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            string outDir = result.Stages.Single(s => s.Stage == settings.Stage).OutputDir;
            var outputs = Outputs(outDir);
            first ??= outputs;
            var timing = ReadTiming(Path.Combine(outDir, TrialTiming.FileName));
            var lockFile = LockFile.Load(Path.Combine(runsDir, pipeline.Name, LockFile.FileName), pipeline.Name);
            string keep = Path.Combine(runsDir, $"{settings.Stage}-{executor}");
            if (Directory.Exists(keep)) Directory.Delete(keep, recursive: true);
            CopyFolder(outDir, keep);
            rows.Add(new Row(executor, timing.Count, lockFile.Stages[settings.Stage].Seconds, Median(timing.Select(t => t.Queue)), timing.Select(t => t.Queue).Max(),
                Median(timing.Select(t => t.Run)), cpu.TotalSeconds / Math.Max(1, timing.Count), Interlocked.Read(ref peak) / 1048576.0, outputs == first));
        }

        var table = new Table().AddColumns("executor", "evaluations", "search stage s", "submit→start median s", "max s", "trial run median s",
            "driver CPU s/trial", "driver peak MB", "same search.json + log");
        string F(double? v, string f = "0.00") => v is { } x ? x.ToString(f, CultureInfo.InvariantCulture) : "";
        foreach (var r in rows)
            table.AddRow(r.Executor, r.Trials.ToString(CultureInfo.InvariantCulture), F(r.StageSeconds, "0.0"), F(r.QueueMedian), F(r.QueueMax), F(r.RunMedian),
                F(r.DriverCpuPerTrial, "0.000"), F(r.DriverPeakMb, "0"), r.Identical ? "yes" : "NO");
        console.Write(table);
        console.MarkupLine($"run folder: {Markup.Escape(runsDir)}; each executor's search outputs in {Markup.Escape(settings.Stage)}-<executor>/");
        if (settings.Out is { } csv)
            Csv.WriteTable(csv, ["executor", "evaluations", "search_stage_s", "queue_median_s", "queue_max_s", "run_median_s", "driver_cpu_s_per_trial", "driver_peak_mb", "identical"],
                rows.Select(r => (IReadOnlyList<string>)[r.Executor, r.Trials.ToString(CultureInfo.InvariantCulture), F(r.StageSeconds, "0.0"), F(r.QueueMedian, "0.000"),
                    F(r.QueueMax, "0.000"), F(r.RunMedian, "0.000"), F(r.DriverCpuPerTrial, "0.0000"), F(r.DriverPeakMb, "0"), r.Identical ? "yes" : "no"]));
        return rows.All(r => r.Identical) ? 0 : NasOnnxCli.ExitUserError;
    }

    /// <summary>
    /// search.json without what is measured on the spot (its wall time "seconds", the finalists' ONNX Runtime latencies
    /// "..._ms", which differ between two runs on the same executor too), and search_log.csv as it is.
    /// </summary>
    private static (string Search, string Log) Outputs(string dir)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "search.json")));
        return (WithoutMeasurements(node)?.ToJsonString() ?? "", File.ReadAllText(Path.Combine(dir, "search_log.csv")));
    }

    private static JsonNode? WithoutMeasurements(JsonNode? node)
    {
        if (node is JsonObject o)
            foreach (var (name, value) in o.ToList())
            {
                if (name == "seconds" || name.EndsWith("_ms", StringComparison.Ordinal)) o.Remove(name);
                else WithoutMeasurements(value);
            }
        else if (node is JsonArray a)
            foreach (var item in a) WithoutMeasurements(item);
        return node;
    }

    private static List<(double? Queue, double? Run)> ReadTiming(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        int q = Array.IndexOf(header, "queue_s"), r = Array.IndexOf(header, "run_s");
        static double? P(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        return lines.Skip(1).Select(l => l.Split(',')).Select(f => (P(f[q]), P(f[r]))).ToList();
    }

    private static double? Median(IEnumerable<double?> values)
    {
        var v = values.OfType<double>().Order().ToList();
        return v.Count == 0 ? null : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}

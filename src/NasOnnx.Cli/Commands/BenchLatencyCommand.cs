using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;
using NasOnnx.Core;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx bench latency MODEL.onnx</c>: ONNX Runtime latency (p50, p90, mean, std) with the device fingerprint;
/// <c>--repeat-processes N</c> measures the same model in N fresh processes to show the harness's repeatability.
/// </summary>
public sealed class BenchLatencyCommand(IAnsiConsole console) : Command<BenchLatencyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("The ONNX model to measure (input [[batch, C, H, W]] or, for a text model, tokens [[batch, seq]]).")]
        public string Model { get; init; } = "";

        [CommandOption("--batch <N>")]
        [Description("Batch size (default 1).")]
        public int Batch { get; init; } = 1;

        [CommandOption("--threads <N>")]
        [Description("ONNX Runtime intra-op threads (default 1: steadiest numbers).")]
        public int Threads { get; init; } = 1;

        [CommandOption("--ep <EP>")]
        [Description("Execution provider: cpu (default) or cuda.")]
        public string Ep { get; init; } = "cpu";

        [CommandOption("--warmup <N>")]
        [Description("Untimed runs first (default 20).")]
        public int Warmup { get; init; } = 20;

        [CommandOption("--runs <N>")]
        [Description("Timed runs (default 200).")]
        public int Runs { get; init; } = 200;

        [CommandOption("--opt <LEVEL>")]
        [Description("ONNX Runtime graph optimization: all (default), extended, basic, none.")]
        public string Opt { get; init; } = "all";

        [CommandOption("--clock <CLOCK>")]
        [Description("wall (default): elapsed time; cpu: the measuring thread's CPU time (1 thread, Linux), steady on a busy machine.")]
        public string Clock { get; init; } = "wall";

        [CommandOption("--keep-denormals")]
        [Description("Do not flush denormal floats to zero (slower on x86 when activations underflow).")]
        public bool KeepDenormals { get; init; }

        [CommandOption("--csv <FILE>")]
        [Description("Also write the result (one row per process) as CSV.")]
        public string? Csv { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--repeat-processes <N>")]
        [Description("Measure in N separate processes, one after another, and report the spread of p50 (repeatability).")]
        public int RepeatProcesses { get; init; }

        public override ValidationResult Validate()
        {
            if (Batch < 1 || Threads < 1 || Runs < 1 || Warmup < 0) return ValidationResult.Error("--batch, --threads and --runs must be at least 1, --warmup at least 0.");
            if (RepeatProcesses < 0) return ValidationResult.Error("--repeat-processes must be 0 (off) or more.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new BenchmarkOptions
        {
            Batch = settings.Batch,
            Threads = settings.Threads,
            ExecutionProvider = BenchmarkOptions.ParseProvider(settings.Ep),
            Warmup = settings.Warmup,
            Runs = settings.Runs,
            DenormalAsZero = !settings.KeepDenormals,
            GraphOptimization = BenchmarkOptions.ParseOptimization(settings.Opt),
            Clock = BenchmarkOptions.ParseClock(settings.Clock),
        };
        if (!File.Exists(settings.Model))
            throw new NasOnnxException("Model file not found.", "Check the path; `nasonnx export` writes ONNX models.") { FilePath = Path.GetFullPath(settings.Model) };
        return settings.RepeatProcesses > 0 ? Repeat(settings, cancellationToken) : Single(settings, options);
    }

    private int Single(Settings settings, BenchmarkOptions options)
    {
        byte[] bytes = File.ReadAllBytes(settings.Model);
        string loadBefore = DeviceFingerprint.LoadAverageText();
        var m = LatencyHarness.Measure(bytes, options, Path.GetFullPath(settings.Model));
        var record = LatencyRecord.From(settings.Model, bytes, m, options);
        if (settings.Csv is not null) Csv.Write(settings.Csv, [record]);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(record, CompactJson));
            return 0;
        }
        var s = m.Stats;
        var table = new Table().HideHeaders().AddColumn("").AddColumn("");
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        string Ms(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture) + " ms";
        Row("model", Path.GetFullPath(settings.Model));
        Row("p50", Ms(s.P50));
        Row("p90", Ms(s.P90));
        Row("mean +- std", $"{Ms(s.Mean)} +- {Ms(s.Std)}");
        Row("min / max", $"{Ms(s.Min)} / {Ms(s.Max)}");
        Row("clock", options.Clock == LatencyClock.ThreadCpu ? $"thread CPU time (wall p50 {Ms(m.Wall.P50)})" : $"wall{(m.ThreadCpu is { } c ? $" (thread CPU p50 {Ms(c.P50)})" : "")}");
        Row("runs", $"{s.Runs} timed after {options.Warmup} warm-up");
        Row("device", m.Fingerprint.ToString());
        Row("fingerprint", m.Fingerprint.Id);
        Row("load average", $"{loadBefore} before, {DeviceFingerprint.LoadAverageText()} after");
        console.Write(table);
        return 0;
    }

    private int Repeat(Settings settings, CancellationToken cancel)
    {
        var records = new List<LatencyRecord>();
        string loadBefore = DeviceFingerprint.LoadAverageText();
        for (int i = 0; i < settings.RepeatProcesses; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var args = new List<string> { "bench", "latency", Path.GetFullPath(settings.Model), "--json",
                "--batch", I(settings.Batch), "--threads", I(settings.Threads), "--ep", settings.Ep, "--warmup", I(settings.Warmup), "--runs", I(settings.Runs), "--opt", settings.Opt, "--clock", settings.Clock };
            if (settings.KeepDenormals) args.Add("--keep-denormals");
            var (code, output) = RunSelf(args);
            var line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
            if (code != 0 || line is null)
                throw new NasOnnxException($"Measurement process {i + 1} failed (exit {code}): {output.Trim()}", "Run the same command without --repeat-processes to see the error.");
            records.Add(JsonSerializer.Deserialize<LatencyRecord>(line, LatencyTable.Json)!);
        }
        if (settings.Csv is not null) Csv.Write(settings.Csv, records);
        var p50 = records.Select(r => r.P50Ms).ToArray();
        double median = LatencyStats.Median(p50);
        double spreadLo = (p50.Min() - median) / median * 100, spreadHi = (p50.Max() - median) / median * 100;
        string loadAfter = DeviceFingerprint.LoadAverageText();
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { processes = records.Count, p50_ms = p50, median_p50_ms = median, spread_min_percent = spreadLo, spread_max_percent = spreadHi, load_before = loadBefore, load_after = loadAfter }, CompactJson));
            return 0;
        }
        var table = new Table().AddColumn("process").AddColumn(new TableColumn("p50 ms").RightAligned()).AddColumn(new TableColumn("p90 ms").RightAligned())
            .AddColumn(new TableColumn("mean ms").RightAligned()).AddColumn(new TableColumn("std ms").RightAligned()).AddColumn("load (1/5/15 min)");
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            table.AddRow(I(i + 1), F(r.P50Ms), F(r.P90Ms), F(r.MeanMs), F(r.StdMs), $"{r.Load1:0.00} {r.Load5:0.00} {r.Load15:0.00}");
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape($"p50 over {records.Count} processes: median {F(median)} ms, spread {spreadLo:+0.0;-0.0}% .. {spreadHi:+0.0;-0.0}% (load {loadBefore} before, {loadAfter} after)"));
        console.MarkupLine(Markup.Escape($"device: {records[0].CpuModel}, {records[0].LogicalCores} cores, {records[0].Threads} thread(s), ORT {records[0].OrtVersion} {records[0].Ep}, batch {records[0].Batch}"));
        return 0;

        static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    private static readonly JsonSerializerOptions CompactJson = new(LatencyTable.Json) { WriteIndented = false };

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs this same CLI in a fresh process (apphost or `dotnet exec nasonnx.dll`).</summary>
    private static (int Code, string Output) RunSelf(IReadOnlyList<string> args)
    {
        string process = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(process) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(typeof(BenchLatencyCommand).Assembly.Location);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new NasOnnxException($"Cannot start {process}.", "Run the measurements by hand: nasonnx bench latency MODEL --json, N times.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

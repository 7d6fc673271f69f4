using NasOnnx.Spaces;
using System.ComponentModel;
using System.Text.Json;
using NasOnnx.Runtime;
using NasOnnx.Search.OneShot;
using Spectre.Console;
using Spectre.Console.Cli;
using NasOnnx.Core;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx bench search --mode darts|darts2|gdas|pc|spos --C 16 --layers 8 --batch 64 --res 28</c>: ms per search
/// step (architecture step + weight step) and peak RSS on the DARTS paper's search network, random data.
/// </summary>
public sealed class BenchSearchCommand(IAnsiConsole console) : Command<BenchSearchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--mode <MODE>")]
        [Description("darts (first order), darts2 (second order), gdas, pc (partial channels), spos (single path).")]
        [DefaultValue("darts")]
        public string Mode { get; init; } = "darts";

        [CommandOption("--space <SPACE>")]
        [Description("The space whose supernet is timed (any with a supernet). Default darts: -C is its C, --layers its cells.")]
        [DefaultValue(SpaceRegistry.DefaultSearchSpace)]
        public string Space { get; init; } = SpaceRegistry.DefaultSearchSpace;

        [CommandOption("-C|--init-channels <C>")]
        [Description("Initial channels (stem has 3C). Default 16 (the DARTS paper). `--C` is accepted too.")]
        [DefaultValue(16)]
        public int C { get; init; } = 16;

        [CommandOption("--layers <N>")]
        [Description("Cells (reductions at 1/3 and 2/3). Default 8.")]
        [DefaultValue(8)]
        public int Layers { get; init; } = 8;

        [CommandOption("--batch <B>")]
        [DefaultValue(64)]
        public int Batch { get; init; } = 64;

        [CommandOption("--res <PX>")]
        [Description("Input height and width. Default 28.")]
        [DefaultValue(28)]
        public int Res { get; init; } = 28;

        [CommandOption("--channels <N>")]
        [Description("Input channels. Default 1.")]
        [DefaultValue(1)]
        public int Channels { get; init; } = 1;

        [CommandOption("--partial-k <K>")]
        [Description("pc mode: 1/K of the channels through the ops. Default 4.")]
        [DefaultValue(4)]
        public int PartialK { get; init; } = 4;

        [CommandOption("--warmup <N>")]
        [DefaultValue(2)]
        public int Warmup { get; init; } = 2;

        [CommandOption("--steps <N>")]
        [Description("Timed steps after the warm-up. Default 3.")]
        [DefaultValue(3)]
        public int Steps { get; init; } = 3;

        [CommandOption("--threads <N>")]
        [Description("libtorch threads. Default 2.")]
        [DefaultValue(2)]
        public int Threads { get; init; } = 2;

        [CommandOption("--compare-numerics")]
        [Description("Time the steps under the default (oneDNN on) and safe (oneDNN off) numerics configurations, alternating, and print the ratio.")]
        public bool CompareNumerics { get; init; }

        [CommandOption("--rounds <N>")]
        [Description("With --compare-numerics: rounds of (default, safe); the best of each counts. Default 2.")]
        [DefaultValue(2)]
        public int Rounds { get; init; } = 2;

        [CommandOption("--json")]
        [Description("Print one JSON line only.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (!SearchStepBench.Modes.Contains(Mode)) return ValidationResult.Error($"--mode must be one of {string.Join(", ", SearchStepBench.Modes)}.");
            if (!SupernetFactory.Spaces.Contains(Space)) return ValidationResult.Error($"--space must be one of {string.Join(", ", SupernetFactory.Spaces)}.");
            if (C < 2 || C % 2 != 0 || Layers < 1 || Batch < 2 || Res < 4 || Channels < 1 || Steps < 1 || Warmup < 0 || Threads < 1 || PartialK < 1)
                return ValidationResult.Error("--C must be even and >= 2; --layers, --steps, --threads, --partial-k >= 1; --batch >= 2; --res >= 4; --warmup >= 0.");
            return ValidationResult.Success();
        }
    }

    /// <summary>Default and safe runs alternate in one process (default first each round); the best of each counts.</summary>
    private int CompareNumerics(Settings s, CancellationToken cancellation)
    {
        Runtime.TorchRuntime.Initialize(s.Threads);
        NumericsComparison.RequireSwitch();
        var best = new Dictionary<Runtime.NumericsConfiguration, SearchBenchResult>();
        for (int round = 0; round < Math.Max(1, s.Rounds); round++)
            foreach (var c in NumericsComparison.Configurations)
            {
                cancellation.ThrowIfCancellationRequested();
                SearchBenchResult r;
                using (Runtime.NumericsSelfCheck.With(c))
                    r = SearchStepBench.Run(s.Mode, s.C, s.Layers, s.Batch, s.Res, s.Channels, s.PartialK, s.Warmup, s.Steps, s.Threads, space: s.Space);
                if (!s.Json)
                    console.MarkupLine(Markup.Escape($"round {round + 1} {c.Name()}: {r.MsPerStep:0} ms/step (min {r.MsMin:0}; CPU {r.CpuMsPerStep:0} ms/step)"));
                if (!best.TryGetValue(c, out var b) || r.MsPerStep < b.MsPerStep) best[c] = r;
            }
        double reference = best[Runtime.NumericsConfiguration.Default].MsPerStep;
        double safe = best[Runtime.NumericsConfiguration.Safe].MsPerStep;
        if (s.Json)
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
            {
                mode = s.Mode, default_ms_per_step = reference, safe_ms_per_step = safe, safe_to_default = Math.Round(safe / reference, 3),
            }, PlainJson.Options));
        else
            console.MarkupLine(Markup.Escape($"{s.Mode} C={s.C} layers={s.Layers} batch={s.Batch} res={s.Res} threads={s.Threads}: default {reference:0} ms/step, " +
                                             $"safe {safe:0} ms/step; safe/default {safe / reference:0.00}; " +
                                             $"in force in this process: {Runtime.NumericsSelfCheck.Describe()}"));
        return 0;
    }

    /// <summary>Spectre.Console.Cli needs long options of two or more letters; the DARTS-style `--C 16` becomes `-C 16`.</summary>
    public static string[] NormalizeArgs(string[] args) => args.Select(a => a == "--C" ? "-C" : a.StartsWith("--C=", StringComparison.Ordinal) ? "-C=" + a[4..] : a).ToArray();

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.CompareNumerics) return CompareNumerics(s, cancellationToken);
        var r = SearchStepBench.Run(s.Mode, s.C, s.Layers, s.Batch, s.Res, s.Channels, s.PartialK, s.Warmup, s.Steps, s.Threads,
            s.Json ? null : line => console.MarkupLine(Markup.Escape(line)), s.Space);
        if (s.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
            {
                impl = "nasonnx", mode = r.Mode, C = r.C, layers = r.Layers, batch = r.Batch, res = r.Resolution, threads = r.Threads,
                ms_per_step = r.MsPerStep, ms_min = r.MsMin, cpu_ms_per_step = r.CpuMsPerStep, peak_rss_mb = r.PeakRssMb, weights = r.Weights,
            }, PlainJson.Options));
            return 0;
        }
        console.MarkupLine($"[bold]{r.Mode}[/] C={r.C} layers={r.Layers} batch={r.Batch} res={r.Resolution} threads={r.Threads}: " +
                           $"{r.Weights:N0} weights, {r.MsPerStep:0} ms/step (min {r.MsMin:0}; CPU {r.CpuMsPerStep:0} ms/step), peak RSS {r.PeakRssMb:0} MB (before {r.RssBeforeMb:0} MB)");
        return 0;
    }
}

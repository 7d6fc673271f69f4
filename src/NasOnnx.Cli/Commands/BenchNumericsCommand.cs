using System.ComponentModel;
using System.Globalization;
using NasOnnx.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// `nasonnx bench numerics`: the self-check's probes (convolutions of every kind the spaces use, pooling, batch norm,
/// linear; forward and backward, float32 against float64) under the default (oneDNN on) and safe (oneDNN off)
/// configurations, side by side: the minimal reproduction of a kernel fault on this machine, without the cache.
/// </summary>
public sealed class BenchNumericsCommand(IAnsiConsole console) : Command<BenchNumericsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--threads <N>")]
        [Description("libtorch threads. Default 1 (the fault does not need more).")]
        [DefaultValue(1)]
        public int Threads { get; init; } = 1;

        [CommandOption("--repeats <N>")]
        [Description("Runs of each probe; the worst error counts. Default 3.")]
        [DefaultValue(3)]
        public int Repeats { get; init; } = 3;

        public override ValidationResult Validate() =>
            Threads < 1 || Repeats < 1 ? ValidationResult.Error("--threads and --repeats must be 1 or more") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        TorchRuntime.Initialize(s.Threads);
        NumericsComparison.RequireSwitch();
        string inForce = NumericsSelfCheck.Describe();
        var results = new List<(NumericsConfiguration Configuration, IReadOnlyList<ProbeError> Probes)>();
        foreach (var c in NumericsComparison.Configurations)
            using (NumericsSelfCheck.With(c)) results.Add((c, NumericsSelfCheck.Measure(s.Repeats)));

        // Plain aligned text, not a table: it must stay readable in an 80-column log.
        Out($"worst error / tolerance over {s.Repeats} runs, {s.Threads} thread(s); tolerance 1e-3 x (1 + max |float64 reference|), above 1 fails");
        Out("columns: output, input gradient, weight gradient");
        Out($"{"probe (input batch 4)",-28}" + string.Concat(results.Select(r => $" | {Short(r.Configuration),-23}")));
        for (int i = 0; i < results[0].Probes.Count; i++)
            Out($"{results[0].Probes[i].Probe,-28}" + string.Concat(results.Select(r =>
            {
                var p = r.Probes[i];
                return $" | {E(p.Output)} {E(p.InputGradient)} {E(p.WeightGradient)}{(p.Passes ? "  " : " !")}";
            })));
        foreach (var (c, probes) in results)
            Out($"{c.Name()}: {probes.Count(p => !p.Passes)} of {probes.Count} probes fail" +
                              string.Concat(probes.Where(p => !p.Passes).Select(p => $"; {p.Probe}")));
        Out($"in force in this process: {inForce}");
        return 0;
    }

    /// <summary>Straight to stdout: Spectre wraps at 80 columns when the output is not a terminal.</summary>
    private void Out(string line) => console.Profile.Out.Writer.WriteLine(line);

    private static string Short(NumericsConfiguration c) => c.ToString().ToLowerInvariant();

    private static string E(double relative) =>
        (double.IsFinite(relative) ? relative.ToString("0.0e+0", CultureInfo.InvariantCulture) : relative.ToString(CultureInfo.InvariantCulture)).PadLeft(6);
}

using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Spaces;
using NasOnnx.Plots;
using NasOnnx.Artifacts;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Predicted versus measured whole-model latency for random architectures of the profiled space: share within
/// +-10%, MAPE, Kendall tau; writes validation.csv, validation.json and validation.png.
/// </summary>
public sealed class ValidateLatencyStage : IStage
{
    public string Kind => "validate-latency";
    public string Description => "Check the latency predictor against measured whole models (share within +-10%, MAPE, Kendall tau, plot).";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Int("architectures", 30, "random architectures to predict and measure"),
        ParamSpec.Int("warmup", 10, "untimed runs before timing"),
        ParamSpec.Int("runs", 100, "timed runs per model"),
        ParamSpec.Int("rounds", 5, "interleaved rounds: models measured round-robin so load bursts hit all alike"),
        ParamSpec.Bool("recalibrate", true, "re-measure the profile stage's calibration models together with the validation models and refit scale and overhead (removes drift in machine speed between the two stages; both results are reported)"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("table", "a profile-latency stage (predictor.json + latency_table.json)")];

    public void Run(StageContext context)
    {
        string dir = context.Input("table");
        var predictor = SpaceLatency.LoadPredictor(dir, out var space);
        var fp = predictor.Table.Fingerprint;
        var options = new BenchmarkOptions
        {
            Batch = fp.Batch,
            Threads = fp.Threads,
            ExecutionProvider = BenchmarkOptions.ParseProvider(fp.ExecutionProvider),
            GraphOptimization = Enum.Parse<Microsoft.ML.OnnxRuntime.GraphOptimizationLevel>(fp.GraphOptimization),
            DenormalAsZero = fp.DenormalAsZero,
            Clock = BenchmarkOptions.ParseClock(fp.Clock),
            Statistic = fp.Statistic,
            Warmup = (int)context.Int("warmup"),
            Runs = (int)context.Int("runs"),
            Seed = (int)(context.Seed & 0x7fffffff),
        };
        var now = DeviceFingerprint.Capture(options, fp.Opset) with { TableMethod = fp.TableMethod };
        if (now != fp)
            throw context.Error($"the latency table was measured on another device or setup ({fp}); this one is {now}",
                "run the profile-latency stage again on this machine", Path.Combine(dir, LatencyPredictor.TableFileName));
        // Architectures the calibration did not see.
        var calibrationArchs = ReadCalibrationArchitectures(dir, space);
        var archs = LatencyValidation.Sample(space, (int)context.Int("architectures"), (int)(context.Seed & 0x7fffffff) ^ 0x5eed,
            calibrationArchs.Select(a => a.ArchId).ToHashSet(StringComparer.Ordinal));
        bool recalibrate = context.Bool("recalibrate") && calibrationArchs.Count > 0;
        var toMeasure = recalibrate ? archs.Concat(calibrationArchs).ToArray() : archs.ToArray();
        string loadBefore = DeviceFingerprint.LoadAverageText();
        var measured = SpaceLatency.MeasureWhole(toMeasure, options, (int)(context.Seed & 0xffff), (int)context.Int("rounds"));
        string loadAfter = DeviceFingerprint.LoadAverageText();

        var profiled = predictor;
        if (recalibrate)
        {
            var points = calibrationArchs.Select((a, i) => (predictor.TableSumMs(a), measured[archs.Count + i].Stats.Typical)).ToArray();
            predictor = new LatencyPredictor(predictor.Table, predictor.Model, LatencyCalibration.Fit(points));
        }
        ValidationSummary Summarize(LatencyPredictor p, out ValidationRow[] rows)
        {
            rows = archs.Select((a, i) => LatencyValidation.Row(p, a, measured[i])).ToArray();
            var pred = rows.Select(r => r.PredictedMs).ToArray();
            var meas = rows.Select(r => r.MeasuredMs).ToArray();
            return new ValidationSummary(space.Name, rows.Length, LatencyValidation.ShareWithin(pred, meas, 10), LatencyValidation.Mape(pred, meas),
                LatencyValidation.KendallTau(pred, meas), p.Calibration.Scale, p.Calibration.OverheadMs, loadBefore, loadAfter, fp.ToString());
        }
        var asProfiled = Summarize(profiled, out var profiledRows);
        var summary = Summarize(predictor, out var rows);
        Csv.Write(context.OutputPath("validation.csv"), rows);
        AtomicWrite.Text(context.OutputPath("validation.json"), JsonSerializer.Serialize(new
        {
            result = summary,
            recalibrated = recalibrate,
            calibration_models = calibrationArchs.Count,
            with_profile_stage_calibration = asProfiled,
        }, LatencyTable.Json) + "\n");
        LatencyPlot.PredictedVsMeasured(context.OutputPath("validation.png"), rows,
            $"{space.Name}: {summary.ShareWithin10:P0} within ±10%, MAPE {summary.Mape:0.0}%, tau {summary.KendallTau:0.00}");
        context.Log.Info($"{space.Name}: {rows.Length} architectures, {summary.ShareWithin10:P0} within +-10%, MAPE {summary.Mape:0.0}%, Kendall tau {summary.KendallTau:0.000}" +
                         (recalibrate ? $" (recalibrated; with the profile stage's calibration: {asProfiled.ShareWithin10:P0}, MAPE {asProfiled.Mape:0.0}%)" : "") +
                         $" (load {loadBefore} -> {loadAfter})");
    }

    private static IReadOnlyList<IArchitecture> ReadCalibrationArchitectures(string dir, ISearchSpace space)
    {
        string path = Path.Combine(dir, ProfileLatencyStage.CalibrationArchitecturesFile);
        if (!File.Exists(path)) return [];
        var items = JsonSerializer.Deserialize<string[]>(File.ReadAllText(path)) ?? [];
        return items.Select(space.Parse).ToArray();
    }
}

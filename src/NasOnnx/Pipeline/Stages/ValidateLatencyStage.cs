using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Reporting;

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
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("table", "a profile-latency stage (predictor.json + latency_table.json)")];

    public void Run(StageContext context)
    {
        string dir = context.Input("table");
        var predictor = LatencyPredictor.Load(dir, out var space);
        var fp = predictor.Table.Fingerprint;
        var options = new BenchmarkOptions
        {
            Batch = fp.Batch,
            Threads = fp.Threads,
            ExecutionProvider = BenchmarkOptions.ParseProvider(fp.ExecutionProvider),
            GraphOptimization = Enum.Parse<Microsoft.ML.OnnxRuntime.GraphOptimizationLevel>(fp.GraphOptimization),
            Warmup = (int)context.Int("warmup"),
            Runs = (int)context.Int("runs"),
            Seed = (int)(context.Seed & 0x7fffffff),
        };
        var now = DeviceFingerprint.Capture(options, fp.Opset);
        if (now != fp)
            throw context.Error($"the latency table was measured on another device or setup ({fp}); this one is {now}",
                "run the profile-latency stage again on this machine", Path.Combine(dir, LatencyPredictor.TableFileName));
        // Architectures the calibration did not see.
        var calibrationIds = ReadCalibrationIds(dir);
        var archs = LatencyValidation.Sample(space, (int)context.Int("architectures"), (int)(context.Seed & 0x7fffffff) ^ 0x5eed, calibrationIds);
        string loadBefore = DeviceFingerprint.LoadAverageText();
        var measured = LatencyValidation.MeasureWhole(archs, options, (int)(context.Seed & 0xffff), (int)context.Int("rounds"));
        string loadAfter = DeviceFingerprint.LoadAverageText();
        var rows = archs.Select((a, i) => LatencyValidation.Row(predictor, a, measured[i])).ToArray();
        var pred = rows.Select(r => r.PredictedMs).ToArray();
        var meas = rows.Select(r => r.MeasuredMs).ToArray();
        var summary = new ValidationSummary(space.Name, rows.Length, LatencyValidation.ShareWithin(pred, meas, 10), LatencyValidation.Mape(pred, meas),
            LatencyValidation.KendallTau(pred, meas), predictor.Calibration.Scale, predictor.Calibration.OverheadMs, loadBefore, loadAfter, fp.ToString());
        Csv.Write(context.OutputPath("validation.csv"), rows);
        AtomicWrite.Text(context.OutputPath("validation.json"), JsonSerializer.Serialize(summary, LatencyTable.Json) + "\n");
        LatencyPlot.PredictedVsMeasured(context.OutputPath("validation.png"), rows,
            $"{space.Name}: {summary.ShareWithin10:P0} within ±10%, MAPE {summary.Mape:0.0}%, tau {summary.KendallTau:0.00}");
        context.Log.Info($"{space.Name}: {rows.Length} architectures, {summary.ShareWithin10:P0} within +-10%, MAPE {summary.Mape:0.0}%, Kendall tau {summary.KendallTau:0.000} (load {loadBefore} -> {loadAfter})");
    }

    private static HashSet<string> ReadCalibrationIds(string dir)
    {
        string path = Path.Combine(dir, "calibration.csv");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return ids;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            int comma = line.IndexOf(',');
            if (comma > 0) ids.Add(line[..comma]);
        }
        return ids;
    }
}

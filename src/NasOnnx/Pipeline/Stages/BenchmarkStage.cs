using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Measures an exported model's latency with ONNX Runtime; writes latency.csv and latency.json with the device fingerprint.
/// With a latency_target it is the delivery check of a latency-constrained pipeline: a p50 over the target fails the stage
/// (enforce_target: true, the default), so a run never ends "successfully" with a model that breaks its budget; with
/// enforce_target: false the miss is recorded (meets_target: false in latency.json, a warning) and the pipeline goes on.
/// </summary>
public sealed class BenchmarkStage : IStage
{
    public const string CsvFile = "latency.csv";
    public const string JsonFile = BenchmarkResult.FileName;

    public string Kind => "benchmark";
    public string Description => "Measure an exported model's latency with ONNX Runtime (warm-up, many runs, p50/p90/mean/std, device fingerprint).";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        .. LatencyParams.Bench(runs: 200),
        ParamSpec.Float("latency_target", 0.0, "latency budget in ms (0: none): the measured p50 must not exceed it"),
        ParamSpec.Bool("enforce_target", true, "with a latency_target: fail the stage when p50 exceeds it (false: record meets_target: false and warn)"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("model", "an export stage (model.onnx)")];

    public void Validate(StageContext context) => LatencyParams.Options(context);

    public void Run(StageContext context)
    {
        string path = Path.Combine(context.Input("model"), ExportStage.ModelFile);
        if (!File.Exists(path)) throw context.Error($"{ExportStage.ModelFile} is missing", "the `model` input must name an export stage", path);
        var options = LatencyParams.Options(context);
        byte[] bytes = File.ReadAllBytes(path);
        string loadBefore = DeviceFingerprint.LoadAverageText();
        LatencyMeasurement m;
        try
        {
            m = LatencyHarness.Measure(bytes, options, path);
        }
        catch (NasOnnxException e) when (e.Stage is null)
        {
            throw new NasOnnxException(e.Message, e.Fix, e) { Stage = context.StageName, FilePath = e.FilePath };
        }
        var record = LatencyRecord.From(path, bytes, m, options);
        double target = context.Float("latency_target");
        bool? meets = target > 0 ? m.Stats.P50 <= target : null;
        if (meets == false && context.Bool("enforce_target"))
            throw context.Error($"the delivered model misses its latency target: measured p50 {m.Stats.P50:0.000} ms (p90 {m.Stats.P90:0.000} ms, {m.Stats.Runs} runs) " +
                                $"> latency_target {target:0.###} ms on {m.Fingerprint} (load {loadBefore})",
                "re-run the search with a tighter budget (latency_margin: 0.9, or a lower latency_target) or a larger final_candidates; on a busy machine use clock: cpu " +
                "(and the same in profile-latency); or set enforce_target: false to keep the model and only record the miss", path);
        if (meets == false)
            context.Log.Warn($"{Path.GetFileName(path)} misses latency_target {target:0.###} ms: p50 {m.Stats.P50:0.000} ms");
        Csv.Write(context.OutputPath(CsvFile), [record]);
        BenchmarkResult.Write(context.OutputDir, record, m.Fingerprint, loadBefore, DeviceFingerprint.LoadAverageText(), target > 0 ? target : null, meets);
        context.Log.Info($"{Path.GetFileName(path)}: p50 {m.Stats.P50:0.000} ms, p90 {m.Stats.P90:0.000} ms, mean {m.Stats.Mean:0.000} +- {m.Stats.Std:0.000} ms " +
                         $"({m.Stats.Runs} runs, batch {options.Batch}, {options.Threads} thread(s), {m.Fingerprint.ExecutionProvider}; load {loadBefore})");
    }
}

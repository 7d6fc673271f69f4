using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Pipeline.Stages;
using NasOnnx.Runtime;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Pipeline;

/// <summary>
/// `nasonnx trial SPEC.json`: evaluates one architecture exactly as the search stage would in process (same context,
/// same evaluator, same seeds) and writes result.json atomically. A diverged training is a result (status diverged);
/// anything else that goes wrong exits non-zero without a result, and the driver sees the job fail.
/// </summary>
public static class TrialWorker
{
    /// <summary>
    /// TEST-ONLY: "N:S" makes the first attempt of trial N sleep S seconds before training (to be cancelled or run out of
    /// time); "N:S:all" every attempt; several comma-separated.
    /// </summary>
    public const string HoldVariable = "NASONNX_TEST_TRIAL_HOLD";

    public static TrialResult Run(string specPath, StageRegistry registry, IRunLog log, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        var spec = TrialSpec.Load(specPath);
        HoldIfAsked(spec, log, cancellation);
        TorchRuntime.Initialize(spec.Threads);
        var stage = StageContextSpec.FromJson(spec.Stage).ToContext(registry, log, cancellation);
        var search = SearchStage.CreateSearchContext(stage);
        var settings = MultiTrialSettings.FromParams(search.Params, hasLatencyPredictor: search.Latency is not null);
        var evaluator = TrialEvaluatorBuilder.BuildScored(search, settings, replacement: null);
        var architecture = search.Space.Parse(spec.Architecture.GetRawText());
        log.Info($"trial {spec.Number} (attempt {spec.Attempt}): {architecture.ArchId} rung {spec.Rung}, {spec.Threads} thread{(spec.Threads == 1 ? "" : "s")}");
        TrialResult result;
        try
        {
            var objectives = evaluator.Evaluate(architecture, spec.Rung, cancellation);
            result = new TrialResult { Status = Trial.Ok, Objectives = Sorted.Of(objectives) };
        }
        catch (DivergedException e)
        {
            result = new TrialResult { Status = Trial.Diverged, Failure = e.Message, Loop = e.Loop, What = e.What, Where = e.Where };
        }
        var processStart = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);
        result = result with { Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3), Host = Environment.MachineName, Started = processStart, Finished = DateTimeOffset.UtcNow };
        result.Save(spec.Result);
        log.Info($"trial {spec.Number}: {result.Status}{(result.Objectives is { } o && o.TryGetValue("accuracy", out double acc) ? $", accuracy {acc:0.0000}" : "")} -> {spec.Result}");
        return result;
    }

    private static void HoldIfAsked(TrialSpec spec, IRunLog log, CancellationToken cancellation)
    {
        if (Environment.GetEnvironmentVariable(HoldVariable) is not { Length: > 0 } holds) return;
        foreach (var hold in holds.Split(','))
        {
            var parts = hold.Split(':');
            if (parts.Length < 2 || !int.TryParse(parts[0], out int number) || number != spec.Number) continue;
            if (spec.Attempt != 1 && !(parts.Length > 2 && parts[2] == "all")) continue;
            double seconds = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            log.Info($"test hold: trial {number} attempt {spec.Attempt} sleeps {seconds} s");
            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds));
        }
    }
}

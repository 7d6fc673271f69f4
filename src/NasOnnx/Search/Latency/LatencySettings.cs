using Microsoft.ML.OnnxRuntime;
using NasOnnx.Latency;
using NasOnnx.Runtime;
using NasOnnx.Core;

namespace NasOnnx.Search.Latency;

/// <summary>
/// The latency params of a multi-trial search: the budget T (`latency_target`, ms), where trial latencies come from,
/// soft or hard constraint, the pre-rejection margin, how many finalists are measured, and the Pareto front's
/// export. <see cref="Active"/>: the search deals with latency at all (a target, or a latency objective).
/// </summary>
public sealed record LatencySettings
{
    public double TargetMs { get; init; }
    /// <summary>"predicted" (the latency input's predictor) or "measured" (export each trained trial and time it).</summary>
    public string Source { get; init; } = "predicted";
    public bool Hard { get; init; }
    /// <summary>Pre-rejection limit = T x margin (below 1: stricter than T, leaving room for prediction error; above 1: looser).</summary>
    public double Margin { get; init; } = 1.0;
    /// <summary>Pre-rejection floor = T x floor (0: none): candidates predicted under it are refused as well.</summary>
    public double Floor { get; init; }
    public int FinalCandidates { get; init; } = 3;
    public int Runs { get; init; } = 50;
    public bool ExportFront { get; init; }
    public bool Pareto { get; init; }
    public bool ObjectiveUsesLatency { get; init; }

    public bool HasTarget => TargetMs > 0;
    public bool Active => HasTarget || ObjectiveUsesLatency;
    public double LimitMs => TargetMs * Margin;
    public double FloorMs => TargetMs * Floor;
    /// <summary>Which predicted latencies pre-rejection refuses, in words: "over 0.900 ms" or "over 0.900 ms or under 0.600 ms".</summary>
    public string RejectedRange => $"over {LimitMs:0.000} ms" + (Floor > 0 ? $" or under {FloorMs:0.000} ms" : "");

    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Float("latency_target", 0.0, "latency budget T in ms on the latency input's device (0: none). Multi-trial: candidates predicted over T x latency_margin are rejected before training and the final candidates are measured; one-shot: the proxyless loss's reference (0: the uniform supernet's expected latency), SPOS rejects candidates over T. Any strategy: a T below the fastest architecture stops the search at once"),
        ParamSpec.Choice("latency_source", "predicted", "multi-trial: where each trial's latency_ms comes from: the `latency` input's predictor, or a measurement of the trained network exported to ONNX (batch, threads, EP and clock of the predictor when given, else batch 1, CPU, the stage's threads)", "predicted", "measured"),
        ParamSpec.Choice("latency_constraint", "soft", "objective accuracy-latency: soft (ACC*(LAT/T)^w everywhere, w = objective_weight) or hard (w = 0 under T, -1 over)", "soft", "hard"),
        ParamSpec.Float("latency_margin", 1.0, "multi-trial pre-rejection: refuse candidates predicted over T x margin (< 1 leaves room for prediction error)"),
        ParamSpec.Float("latency_floor", 0.0, "multi-trial pre-rejection: also refuse candidates predicted under T x floor (0: none; below latency_margin), so the search spends its trials on networks that use the budget: a short trial favours small networks, which learn fastest in one epoch"),
        ParamSpec.Int("final_candidates", 3, "multi-trial with a latency target: measure this many best candidates at the end; the winner is the best whose measured p50 meets T (0: off)"),
        ParamSpec.Int("latency_runs", 50, "multi-trial: timed runs per latency measurement (measured trials and final candidates)"),
        ParamSpec.Bool("export_front", false, "objective pareto: also write front/<arch_id>.onnx for every architecture on the front (weights from its trial training)"),
    ];

    public static LatencySettings FromParams(IParamReader c)
    {
        var s = new LatencySettings
        {
            TargetMs = c.Float("latency_target"),
            Source = c.RequiredString("latency_source"),
            Hard = c.RequiredString("latency_constraint") == "hard",
            Margin = c.Float("latency_margin"),
            Floor = c.Float("latency_floor"),
            FinalCandidates = (int)c.Int("final_candidates"),
            Runs = (int)c.Int("latency_runs"),
            ExportFront = c.Bool("export_front"),
            Pareto = c.RequiredString("objective") == "pareto",
            ObjectiveUsesLatency = Objectives.UsesLatency(c.RequiredString("objective")),
        };
        if (s.TargetMs < 0) throw c.Error($"latency_target is {s.TargetMs}", "set a positive latency budget in ms (or 0 for none)", c.PipelineFile);
        if (s.Margin <= 0) throw c.Error($"latency_margin is {s.Margin}", "set a positive margin, e.g. 1.0 (reject over T) or 0.9 (reject over 0.9 T)", c.PipelineFile);
        if (s.Floor < 0 || s.Floor >= s.Margin)
            throw c.Error($"latency_floor is {s.Floor} with latency_margin {s.Margin}", "set a floor from 0 (none) up to below the margin, e.g. latency_floor: 0.6 with latency_margin: 0.9 (search between 0.6 T and 0.9 T)", c.PipelineFile);
        if (s.Floor > 0 && !s.HasTarget)
            throw c.Error("latency_floor is set but latency_target is not", "set latency_target (the floor is a share of it), or remove latency_floor", c.PipelineFile);
        if (s.FinalCandidates < 0) throw c.Error($"final_candidates is {s.FinalCandidates}", "set 0 (off) or more, e.g. 3", c.PipelineFile);
        if (s.Runs < 1) throw c.Error($"latency_runs is {s.Runs}", "set 1 or more timed runs, e.g. 50", c.PipelineFile);
        return s;
    }

    /// <summary>
    /// How the search measures: the predictor's device settings when there is one (so a measured latency means the
    /// same as a predicted one and as T), else batch 1, CPU, the stage's libtorch thread count, wall clock, p50.
    /// </summary>
    public BenchmarkOptions MeasurementOptions(LatencyPredictor? predictor, long seed)
    {
        var baseOptions = new BenchmarkOptions { Warmup = 10, Runs = Runs, Seed = (int)(seed & 0x7fffffff) };
        if (predictor?.Table.Fingerprint is not { } f)
            return baseOptions with { Batch = 1, Threads = Math.Max(1, TorchRuntime.Threads), ExecutionProvider = ExecutionProviderKind.Cpu };
        return baseOptions with
        {
            Batch = f.Batch,
            Threads = f.Threads,
            ExecutionProvider = BenchmarkOptions.ParseProvider(f.ExecutionProvider),
            GraphOptimization = Enum.TryParse<GraphOptimizationLevel>(f.GraphOptimization, out var level) ? level : GraphOptimizationLevel.ORT_ENABLE_ALL,
            DenormalAsZero = f.DenormalAsZero,
            Clock = BenchmarkOptions.ParseClock(f.Clock),
            Statistic = f.Statistic,
        };
    }
}

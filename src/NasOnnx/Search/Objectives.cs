using NasOnnx.Core;

namespace NasOnnx.Search;

/// <summary>Objective helpers and the `objective` params of the search stage.</summary>
public static class Objectives
{
    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("objective", "accuracy", "what the search maximizes: validation accuracy alone; accuracy * (cost/target)^w with cost = params, macs " +
            "or latency (accuracy-latency: T = latency_target, hard or soft by latency_constraint); pareto: keep the accuracy-vs-latency front (pareto.csv, pareto.png)",
            "accuracy", "accuracy-params", "accuracy-macs", "accuracy-latency", "pareto"),
        ParamSpec.Float("objective_target", 0.0, "the params or MACs target T of accuracy-params/accuracy-macs (required there; accuracy-latency uses latency_target)"),
        ParamSpec.Float("objective_weight", -0.07, "the exponent w of (cost/T)^w (MnasNet soft constraint: -0.07)"),
        ParamSpec.Bool("objective_hard", false, "hard constraint: w = 0 under the target, -1 over it"),
    ];

    /// <summary>The objective key the latency of a candidate is reported under (ms).</summary>
    public const string LatencyMs = "latency_ms";

    /// <summary>True for objectives that need a latency for every trial.</summary>
    public static bool UsesLatency(string kind) => kind is "accuracy-latency" or "pareto";

    public static IObjective FromParams(IParamReader c)
    {
        string kind = c.RequiredString("objective");
        if (kind == "accuracy") return new SingleObjective();
        if (UsesLatency(kind)) return LatencyObjective(c, kind);
        double target = c.Float("objective_target");
        if (target <= 0)
            throw c.Error($"objective '{kind}' needs a positive objective_target, got {target}",
                $"set e.g. objective_target: {(kind == "accuracy-params" ? "50000" : "5000000")} (the {kind[9..]} budget)", c.PipelineFile);
        return new CostAwareObjective(kind == "accuracy-params" ? "params" : "macs", target, c.Float("objective_weight"), c.Bool("objective_hard"));
    }

    /// <summary>
    /// accuracy-latency: MnasNet's ACC * (LAT/T)^w, soft (w = objective_weight, -0.07) or hard (w = 0 under T, -1 over) by
    /// latency_constraint. pareto: the strategy still needs one number to select by; it gets the soft reward, whose ranking
    /// does not depend on T (ACC * (LAT/T)^w = T^-w * ACC * LAT^w), so T = 1 ms stands in when no target is set.
    /// </summary>
    private static IObjective LatencyObjective(IParamReader c, string kind)
    {
        double target = c.Float("latency_target");
        if (kind == "pareto")
            return new CostAwareObjective(LatencyMs, target > 0 ? target : 1.0, c.Float("objective_weight"));
        if (target <= 0)
            throw c.Error($"objective 'accuracy-latency' needs a positive latency_target (ms), got {target}",
                "set e.g. latency_target: 1.0 (the latency budget in ms on the profiled device), or --set search.latency_target=1.0", c.PipelineFile);
        bool hard = c.RequiredString("latency_constraint") == "hard" || c.Bool("objective_hard");
        return new CostAwareObjective(LatencyMs, target, c.Float("objective_weight"), hard);
    }

    public static double Get(IReadOnlyDictionary<string, double> objectives, string key) =>
        objectives.TryGetValue(key, out double v) ? v
            : throw new NasOnnxException($"the evaluator reported no '{key}' (it reported: {string.Join(", ", objectives.Keys)})",
                "choose an objective over what the evaluator measures: accuracy, params, macs");
}

using System.Globalization;
using NasOnnx.Pipeline;

namespace NasOnnx.Search;

/// <summary>
/// Turns an evaluator's objectives into the one number a strategy maximizes (the reward). Pluggable: accuracy
/// alone, or accuracy traded against a cost (params, MACs; latency comes next) in the MnasNet form.
/// </summary>
public interface IObjective
{
    /// <summary>The name written into logs and plots ("accuracy", "accuracy*(params/50000)^-0.07" ...).</summary>
    string Name { get; }

    double Score(IReadOnlyDictionary<string, double> objectives);
}

/// <summary>One objective taken as it is (by default "accuracy").</summary>
public sealed class SingleObjective(string key = "accuracy") : IObjective
{
    public string Name => key;

    public double Score(IReadOnlyDictionary<string, double> objectives) => Objectives.Get(objectives, key);
}

/// <summary>
/// MnasNet-style trade-off: accuracy * (cost / target)^w. Soft (default): w applies everywhere, so smaller
/// models earn a little and bigger ones lose a little (w = -0.07 in the paper). Hard: w = 0 under the target
/// and <see cref="HardWeight"/> (-1) over it.
/// </summary>
public sealed class CostAwareObjective(string cost, double target, double weight = -0.07, bool hard = false, string accuracy = "accuracy") : IObjective
{
    public const double HardWeight = -1.0;

    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"{accuracy}*({cost}/{target:G6})^{(hard ? "hard" : weight.ToString("G4", CultureInfo.InvariantCulture))}");

    public double Score(IReadOnlyDictionary<string, double> objectives)
    {
        double acc = Objectives.Get(objectives, accuracy);
        double ratio = Objectives.Get(objectives, cost) / target;
        double w = hard ? (ratio <= 1 ? 0 : HardWeight) : weight;
        return ratio <= 0 ? acc : acc * Math.Pow(ratio, w);
    }
}

/// <summary>Objective helpers and the `objective` params of the search stage.</summary>
public static class Objectives
{
    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("objective", "accuracy", "what the search maximizes: validation accuracy alone, or accuracy * (cost/target)^w with cost = params or macs",
            "accuracy", "accuracy-params", "accuracy-macs"),
        ParamSpec.Float("objective_target", 0.0, "the params or MACs target T of accuracy-params/accuracy-macs (required there)"),
        ParamSpec.Float("objective_weight", -0.07, "the exponent w of (cost/T)^w (MnasNet soft constraint: -0.07)"),
        ParamSpec.Bool("objective_hard", false, "hard constraint: w = 0 under the target, -1 over it"),
    ];

    public static IObjective FromParams(StageContext c)
    {
        string kind = c.RequiredString("objective");
        if (kind == "accuracy") return new SingleObjective();
        double target = c.Float("objective_target");
        if (target <= 0)
            throw c.Error($"objective '{kind}' needs a positive objective_target, got {target}",
                $"set e.g. objective_target: {(kind == "accuracy-params" ? "50000" : "5000000")} (the {kind[9..]} budget)", c.PipelineFile);
        return new CostAwareObjective(kind == "accuracy-params" ? "params" : "macs", target, c.Float("objective_weight"), c.Bool("objective_hard"));
    }

    public static double Get(IReadOnlyDictionary<string, double> objectives, string key) =>
        objectives.TryGetValue(key, out double v) ? v
            : throw new NasOnnxException($"the evaluator reported no '{key}' (it reported: {string.Join(", ", objectives.Keys)})",
                "choose an objective over what the evaluator measures: accuracy, params, macs");
}

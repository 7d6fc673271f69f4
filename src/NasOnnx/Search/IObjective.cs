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

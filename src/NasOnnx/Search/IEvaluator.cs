using NasOnnx.Architectures;

namespace NasOnnx.Search;

/// <summary>
/// Scores an architecture: architecture -> objectives (e.g. {"accuracy": 0.9, "params": 12345, "macs": 1.2e6}).
/// Multi-trial strategies never train; they ask an evaluator. An evaluator may offer several budgets
/// (<see cref="Rungs"/>, e.g. 1, 2, 4 epochs) for successive halving; rung 0 is the cheapest.
/// </summary>
public interface IEvaluator
{
    /// <summary>How many budgets (rungs) this evaluator offers; 1 means successive halving is off.</summary>
    int Rungs => 1;

    /// <summary>Evaluates with the budget of <paramref name="rung"/> (0 ... <see cref="Rungs"/> - 1).</summary>
    IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation);
}

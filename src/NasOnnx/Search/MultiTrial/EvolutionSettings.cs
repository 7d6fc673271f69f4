using NasOnnx.Core;

namespace NasOnnx.Search.MultiTrial;

/// <summary>Evolution settings: population size, tournament size and crossover probability (<see cref="EvolutionProposer"/> checks them).</summary>
public sealed record EvolutionSettings(int Population, int Sample, double Crossover)
{
    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Int("population", 10, "evolution: population size P (the first P trials are random)"),
        ParamSpec.Int("sample", 3, "evolution: tournament size S drawn from the population"),
        ParamSpec.Float("crossover", 0.2, "evolution: probability that a child is a crossover of two tournament winners instead of a mutation"),
    ];

    public static EvolutionSettings FromParams(IParamReader stage) =>
        new((int)stage.Int("population"), (int)stage.Int("sample"), stage.Float("crossover"));
}

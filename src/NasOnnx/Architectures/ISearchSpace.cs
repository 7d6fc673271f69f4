using System.Numerics;

namespace NasOnnx.Architectures;

/// <summary>Tier 1: sample, parse, size. What random search needs.</summary>
public interface ISearchSpace
{
    string Name { get; }

    /// <summary>The number of distinct architectures.</summary>
    BigInteger Size { get; }

    /// <summary>A uniformly random architecture (the same <see cref="Random"/> seed gives the same architecture).</summary>
    IArchitecture Sample(Random rng);

    /// <summary>Parses an architecture's JSON; throws <see cref="NasOnnxException"/> naming what is wrong.</summary>
    IArchitecture Parse(string json);
}

/// <summary>Tier 2: local moves, for evolution.</summary>
public interface IMutableSpace : ISearchSpace
{
    /// <summary>A copy of <paramref name="parent"/> with exactly one decision changed.</summary>
    IArchitecture Mutate(IArchitecture parent, Random rng);

    /// <summary>A child taking each decision from one of the two parents.</summary>
    IArchitecture Crossover(IArchitecture a, IArchitecture b, Random rng);
}

/// <summary>Tier 3: a fixed list of categorical decisions, for policies (REINFORCE) and supernets.</summary>
public interface IDecisionSpace : ISearchSpace
{
    IReadOnlyList<Decision> Decisions { get; }

    /// <summary>The architecture for one choice index per decision. Decisions that do not apply (e.g. layers
    /// past the chosen depth) are ignored.</summary>
    IArchitecture FromChoices(IReadOnlyList<int> choices);

    /// <summary>One choice index per decision; decisions that do not apply get 0.</summary>
    int[] ToChoices(IArchitecture architecture);
}

using System.Numerics;

namespace NasOnnx.Architectures;

/// <summary>
/// Shared machinery for spaces described by categorical decisions: uniform sampling, one-decision mutation,
/// uniform crossover and parsing, all through <see cref="FromChoices(IReadOnlyList{int})"/> and <see cref="ToChoices(TArch)"/>.
/// A space only says what its decisions are and how choices map to its architecture record.
/// </summary>
public abstract class DecisionSpaceBase<TArch> : IMutableSpace, IDecisionSpace where TArch : Architecture
{
    protected DecisionSpaceBase(SpaceOptions options)
    {
        options.Validate();
        Options = options;
    }

    public abstract string Name { get; }
    public SpaceOptions Options { get; }
    public abstract IReadOnlyList<Decision> Decisions { get; }

    /// <summary>Product of the choice counts; spaces with decisions that do not always apply override it.</summary>
    public virtual BigInteger Size => Decisions.Aggregate(BigInteger.One, (acc, d) => acc * d.Choices.Count);

    public abstract TArch Build(IReadOnlyList<int> choices);
    public abstract int[] Encode(TArch architecture);

    /// <summary>Parses JSON of this space; missing input/classes/config fields take this space's options.</summary>
    public abstract TArch ParseArchitecture(string json);

    /// <summary>Indices of the decisions that matter for <paramref name="choices"/> (all by default).</summary>
    protected virtual IEnumerable<int> ActiveDecisions(IReadOnlyList<int> choices) => Enumerable.Range(0, Decisions.Count);

    public IArchitecture Parse(string json) => ParseArchitecture(json);

    public IArchitecture FromChoices(IReadOnlyList<int> choices)
    {
        if (choices.Count != Decisions.Count)
            throw new ArgumentException($"Space '{Name}' has {Decisions.Count} decisions; got {choices.Count} choices.", nameof(choices));
        for (int i = 0; i < choices.Count; i++)
            if (choices[i] < 0 || choices[i] >= Decisions[i].Choices.Count)
                throw new ArgumentOutOfRangeException(nameof(choices), $"Choice {choices[i]} for decision '{Decisions[i].Name}' is outside 0..{Decisions[i].Choices.Count - 1}.");
        return Build(choices);
    }

    public int[] ToChoices(IArchitecture architecture) => Encode(Cast(architecture));

    public virtual TArch SampleArchitecture(Random rng) => Build(Decisions.Select(d => rng.Next(d.Choices.Count)).ToArray());

    public IArchitecture Sample(Random rng) => SampleArchitecture(rng);

    public IArchitecture Mutate(IArchitecture parent, Random rng)
    {
        var p = Cast(parent);
        int[] choices = Encode(p);
        var active = ActiveDecisions(choices).Where(i => Decisions[i].Choices.Count > 1).ToArray();
        if (active.Length == 0) return p;
        for (int attempt = 0; attempt < 64; attempt++)
        {
            int d = active[rng.Next(active.Length)];
            int n = Decisions[d].Choices.Count;
            var child = (int[])choices.Clone();
            child[d] = (choices[d] + 1 + rng.Next(n - 1)) % n;
            var arch = Build(child);
            if (arch.ArchId != p.ArchId) return arch;
        }
        return p;
    }

    public IArchitecture Crossover(IArchitecture a, IArchitecture b, Random rng)
    {
        int[] ca = Encode(Cast(a)), cb = Encode(Cast(b));
        return Build(ca.Select((c, i) => rng.Next(2) == 0 ? c : cb[i]).ToArray());
    }

    protected TArch Cast(IArchitecture architecture) => architecture as TArch
        ?? throw new NasOnnxException($"Architecture {architecture.ArchId} belongs to space '{architecture.Space}', not '{Name}'.",
            $"Use an architecture of the '{Name}' space.");
}

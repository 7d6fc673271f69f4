using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Search;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>An architecture of <see cref="FakeSpace"/>: one choice per decision, no tensors.</summary>
public sealed record FakeArchitecture(int[] Choices) : IArchitecture
{
    public string Space => FakeSpace.SpaceName;
    public string ArchId => "f" + string.Concat(Choices);
    public string ToJson(bool indented = true) => new JsonObject { ["space"] = Space, ["choices"] = ArchJson.Ints(Choices) }.ToJsonString();
}

/// <summary>
/// A dummy space (Archai-style) of <c>decisions</c> x <c>choices</c> integers with all three capability tiers and
/// a known optimum: the objective is the mean closeness of each choice to a target choice, 1.0 only at the target.
/// </summary>
public sealed class FakeSpace(int decisions = 8, int choices = 4) : IMutableSpace, IDecisionSpace
{
    public const string SpaceName = "fake";

    public string Name => SpaceName;
    public BigInteger Size => BigInteger.Pow(choices, decisions);
    public IReadOnlyList<Decision> Decisions { get; } = Enumerable.Range(0, decisions)
        .Select(i => new Decision($"d{i}", Enumerable.Range(0, choices).Select(c => c.ToString()).ToArray())).ToArray();

    /// <summary>The unique optimum.</summary>
    public int[] Target { get; } = Enumerable.Range(0, decisions).Select(i => (3 * i + 1) % choices).ToArray();

    public double Objective(IArchitecture a)
    {
        var c = ((FakeArchitecture)a).Choices;
        return c.Select((x, i) => 1.0 - Math.Abs(x - Target[i]) / (double)(choices - 1)).Average();
    }

    public bool IsOptimum(string archId) => archId == "f" + string.Concat(Target);

    public IArchitecture Sample(Random rng) => new FakeArchitecture(Enumerable.Range(0, decisions).Select(_ => rng.Next(choices)).ToArray());

    public IArchitecture Parse(string json) =>
        new FakeArchitecture(((JsonArray)JsonNode.Parse(json)!["choices"]!).Select(n => n!.GetValue<int>()).ToArray());

    public IArchitecture Mutate(IArchitecture parent, Random rng)
    {
        var c = (int[])((FakeArchitecture)parent).Choices.Clone();
        int d = rng.Next(decisions);
        c[d] = (c[d] + 1 + rng.Next(choices - 1)) % choices;
        return new FakeArchitecture(c);
    }

    public IArchitecture Crossover(IArchitecture a, IArchitecture b, Random rng)
    {
        int[] ca = ((FakeArchitecture)a).Choices, cb = ((FakeArchitecture)b).Choices;
        return new FakeArchitecture(ca.Select((x, i) => rng.Next(2) == 0 ? x : cb[i]).ToArray());
    }

    public IArchitecture FromChoices(IReadOnlyList<int> c) => new FakeArchitecture([.. c]);

    public int[] ToChoices(IArchitecture architecture) => [.. ((FakeArchitecture)architecture).Choices];
}

/// <summary>Only tier 1 (sampling): evolution and REINFORCE must refuse it.</summary>
public sealed class SampleOnlySpace(FakeSpace inner) : ISearchSpace
{
    public string Name => "sample-only";
    public BigInteger Size => inner.Size;
    public IArchitecture Sample(Random rng) => inner.Sample(rng);
    public IArchitecture Parse(string json) => inner.Parse(json);
}

/// <summary>Scores with the space's known objective (plus a fake "params"), counting evaluations and remembering duplicates.</summary>
public sealed class FakeEvaluator(FakeSpace space, int rungs = 1) : IEvaluator
{
    public int Calls { get; private set; }
    public HashSet<string> Seen { get; } = [];
    public List<string> Duplicates { get; } = [];

    public int Rungs => rungs;

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        Calls++;
        if (!Seen.Add($"{architecture.ArchId}@{rung}")) Duplicates.Add(architecture.ArchId);
        var c = ((FakeArchitecture)architecture).Choices;
        // higher rungs: "more training" raises accuracy a little, the same for everyone
        return new Dictionary<string, double> { ["accuracy"] = space.Objective(architecture) * (0.9 + 0.05 * rung), ["params"] = 1000 + c.Sum() * 100 };
    }
}

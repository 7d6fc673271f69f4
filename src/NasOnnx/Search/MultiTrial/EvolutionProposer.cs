using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Regularized (aging) evolution (Real et al. 2019): the first <c>population</c> trials are random; then each
/// proposal takes the best of <c>sample</c> members drawn from the population and mutates it (one decision
/// changed) or, with probability <c>crossover</c>, crosses it with the best of a second sample (then mutates
/// the child if it equals a parent). Every evaluated child joins the population and the oldest member leaves.
/// Needs an <see cref="IMutableSpace"/>.
/// </summary>
public sealed class EvolutionProposer : ITrialProposer
{
    private readonly IMutableSpace _space;
    private readonly int _populationSize, _sampleSize;
    private readonly double _crossover;
    private readonly List<(Trial Trial, IArchitecture Architecture)> _population = [];

    public EvolutionProposer(IMutableSpace space, int population = 20, int sample = 5, double crossover = 0.0)
    {
        if (population < 2) throw new NasOnnxException($"the evolution population is {population}", "set population: 2 or more (e.g. 20)");
        if (sample < 1 || sample > population)
            throw new NasOnnxException($"the evolution sample is {sample} with population {population}", $"set sample between 1 and {population} (e.g. {Math.Max(1, population / 4)})");
        if (crossover is < 0 or > 1) throw new NasOnnxException($"crossover probability {crossover} is outside [0, 1]", "set crossover between 0 and 1 (e.g. 0.2)");
        (_space, _populationSize, _sampleSize, _crossover) = (space, population, sample, crossover);
    }

    /// <summary>The current population, oldest first.</summary>
    public IReadOnlyList<Trial> Population => _population.Select(p => p.Trial).ToList();

    public Proposal Propose(Random rng)
    {
        if (_population.Count < _populationSize) return new Proposal(_space.Sample(rng), [], 0);
        var a = Tournament(rng);
        if (_crossover > 0 && rng.NextDouble() < _crossover)
        {
            var b = Tournament(rng);
            var child = _space.Crossover(a.Architecture, b.Architecture, rng);
            if (child.ArchId == a.Trial.ArchId || child.ArchId == b.Trial.ArchId) child = _space.Mutate(child, rng);
            var parents = a.Trial.ArchId == b.Trial.ArchId ? new[] { a.Trial.ArchId } : [a.Trial.ArchId, b.Trial.ArchId];
            return new Proposal(child, parents, Math.Max(a.Trial.Generation, b.Trial.Generation) + 1);
        }
        return new Proposal(_space.Mutate(a.Architecture, rng), [a.Trial.ArchId], a.Trial.Generation + 1);
    }

    /// <summary>The best of <c>sample</c> distinct members (ties: the younger one, which matches aging's preference).</summary>
    private (Trial Trial, IArchitecture Architecture) Tournament(Random rng)
    {
        var picks = new HashSet<int>();
        while (picks.Count < _sampleSize) picks.Add(rng.Next(_population.Count));
        return picks.Order().Select(i => _population[i]).OrderByDescending(p => p.Trial.Score).ThenByDescending(p => p.Trial.Number).First();
    }

    public void Observe(Trial trial, IArchitecture architecture)
    {
        _population.Add((trial, architecture));
        if (_population.Count > _populationSize) _population.RemoveAt(0);
    }

    public JsonNode? SaveState() => new JsonObject { ["population"] = ArchJson.Ints(_population.Select(p => p.Trial.Number)) };

    public void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history)
    {
        _population.Clear();
        if (state?["population"] is not JsonArray numbers) return;
        var byNumber = history.ToDictionary(h => h.Trial.Number);
        foreach (var n in numbers) _population.Add(byNumber[n!.GetValue<int>()]);
    }
}

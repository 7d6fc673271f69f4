using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Proposes the given architectures first (generation 0, no parents), then, optionally, mutations of them (one decision
/// changed, the seeds in turn) until <c>mutations</c> of those have been accepted for training, and then hands over to
/// the strategy's proposer, which observes all of them like its own proposals: evolution counts them into its first
/// population and goes on from the best, REINFORCE learns from their scores. Seeds alone make a search that cannot miss
/// a known design; seeds with mutations make it a local search around that design. Why the mutations: short trials rank
/// networks by how fast they learn, so a deep network that ends best after a long retrain scores low among random
/// samples (the ResNet-style network ranked 49th of 60 after one epoch on a fifth of Fashion-MNIST) and evolution never
/// picks it as a parent; among its own mutations it competes with networks that learn at its pace. The counts are part
/// of the saved state, so a resumed search goes on where it stopped.
/// </summary>
public sealed class SeededProposer : ITrialProposer
{
    private readonly ITrialProposer _inner;
    private readonly IReadOnlyList<IArchitecture> _seeds;
    private readonly IMutableSpace? _space;
    private readonly int _mutations;
    private int _seedsProposed, _mutationsProposed, _mutationsRefused;
    private readonly HashSet<string> _outstanding = new(StringComparer.Ordinal);

    /// <param name="mutations">How many mutations of the seeds to have trained before the strategy proposes (needs a mutable space).</param>
    public SeededProposer(ITrialProposer inner, IReadOnlyList<IArchitecture> seeds, ISearchSpace? space = null, int mutations = 0)
    {
        if (mutations < 0) throw new NasOnnxException($"initial_mutations is {mutations}", "set initial_mutations: 0 or more");
        if (mutations > 0 && seeds.Count == 0)
            throw new NasOnnxException($"initial_mutations is {mutations} and there are no initial architectures to mutate", "give initial_architectures, or set initial_mutations: 0");
        if (mutations > 0 && space is not IMutableSpace)
            throw new NasOnnxException($"initial_mutations needs a space with mutation; space '{space?.Name}' has none", "set initial_mutations: 0");
        (_inner, _seeds, _space, _mutations) = (inner, seeds, space as IMutableSpace, mutations);
    }

    /// <summary>The strategy's own proposer (what its payload describes).</summary>
    public ITrialProposer Inner => _inner;

    private int MutationsAccepted => _mutationsProposed - _mutationsRefused;

    public Proposal Propose(Random rng)
    {
        if (_seedsProposed < _seeds.Count) return new Proposal(_seeds[_seedsProposed++], [], 0);
        if (MutationsAccepted < _mutations)
        {
            // the seeds in turn, by accepted mutations, so a refused one is retried from the same seed with the next proposal's randomness
            var parent = _seeds[MutationsAccepted % _seeds.Count];
            var child = _space!.Mutate(parent, rng);
            _mutationsProposed++;
            _outstanding.Add(child.ArchId);
            return new Proposal(child, [parent.ArchId], 1);
        }
        return _inner.Propose(rng);
    }

    public void Observe(Trial trial, IArchitecture architecture)
    {
        _outstanding.Remove(trial.ArchId);
        _inner.Observe(trial, architecture);
    }

    public void ObserveRepeat(Proposal proposal, double score)
    {
        Refused(proposal);
        _inner.ObserveRepeat(proposal, score);
    }

    public void ObserveRejected(Proposal proposal, Rejection rejection)
    {
        Refused(proposal);
        _inner.ObserveRejected(proposal, rejection);
    }

    /// <summary>A mutation that is not trained (a repeat, or refused by the latency filter) does not count.</summary>
    private void Refused(Proposal proposal)
    {
        if (_outstanding.Remove(proposal.Architecture.ArchId)) _mutationsRefused++;
    }

    public JsonNode? SaveState() => new JsonObject
    {
        ["seeds_proposed"] = _seedsProposed,
        ["mutations_proposed"] = _mutationsProposed,
        ["mutations_refused"] = _mutationsRefused,
        ["outstanding"] = new JsonArray(_outstanding.Order(StringComparer.Ordinal).Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
        ["inner"] = _inner.SaveState(),
    };

    public void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history)
    {
        _seedsProposed = state?["seeds_proposed"]?.GetValue<int>() ?? 0;
        _mutationsProposed = state?["mutations_proposed"]?.GetValue<int>() ?? 0;
        _mutationsRefused = state?["mutations_refused"]?.GetValue<int>() ?? 0;
        _outstanding.Clear();
        if (state?["outstanding"] is JsonArray ids)
            foreach (var id in ids) _outstanding.Add(id!.GetValue<string>());
        _inner.LoadState(state?["inner"], history);
    }
}

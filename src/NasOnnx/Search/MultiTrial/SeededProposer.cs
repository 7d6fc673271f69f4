using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Proposes the given architectures first (generation 0, no parents), then hands over to the strategy's proposer, which
/// observes them like its own proposals: evolution counts them into its first population and mutates them like any
/// member, REINFORCE learns from their scores. A search started from a hand-designed network can then only improve on it
/// by the search's own measure, and cannot miss it by sampling. The count handed out is part of the saved state, so a
/// resumed search does not propose them again.
/// </summary>
public sealed class SeededProposer(ITrialProposer inner, IReadOnlyList<IArchitecture> seeds) : ITrialProposer
{
    private int _proposed;

    /// <summary>The strategy's own proposer (what its payload describes).</summary>
    public ITrialProposer Inner => inner;

    public Proposal Propose(Random rng) =>
        _proposed < seeds.Count ? new Proposal(seeds[_proposed++], [], 0) : inner.Propose(rng);

    public void Observe(Trial trial, IArchitecture architecture) => inner.Observe(trial, architecture);

    public void ObserveRepeat(Proposal proposal, double score) => inner.ObserveRepeat(proposal, score);

    public void ObserveRejected(Proposal proposal, Rejection rejection) => inner.ObserveRejected(proposal, rejection);

    public JsonNode? SaveState() => new JsonObject { ["seeds_proposed"] = _proposed, ["inner"] = inner.SaveState() };

    public void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history)
    {
        _proposed = state?["seeds_proposed"]?.GetValue<int>() ?? 0;
        inner.LoadState(state?["inner"], history);
    }
}

using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The algorithm of a multi-trial strategy: proposes candidates and learns from their scores. It never evaluates;
/// <see cref="MultiTrialRunner"/> does (through an <see cref="IEvaluator"/>), deduplicates, keeps the budget and
/// saves state. All randomness comes from the <see cref="Random"/> passed to <see cref="Propose"/> (one per
/// proposal, derived from the seed and the proposal number), so state + seed fully determine what comes next.
/// </summary>
public interface ITrialProposer
{
    Proposal Propose(Random rng);

    /// <summary>A proposal was evaluated (a new architecture).</summary>
    void Observe(Trial trial, IArchitecture architecture);

    /// <summary>A proposal named an architecture evaluated before; it is not evaluated again. Policies learn from its known score.</summary>
    void ObserveRepeat(Proposal proposal, double score) { }

    /// <summary>
    /// A proposal was refused before evaluation (<see cref="ICandidateFilter"/>, e.g. predicted over the latency budget);
    /// it is not trained and not counted as a trial. The default ignores it: the runner simply asks for another proposal.
    /// </summary>
    void ObserveRejected(Proposal proposal, Rejection rejection) { }

    /// <summary>The proposer's state as JSON (null: stateless).</summary>
    JsonNode? SaveState();

    /// <summary>Restores <see cref="SaveState"/>'s JSON; <paramref name="history"/> holds every trial so far and their parsed architectures.</summary>
    void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history);
}

using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>
/// How a space's networks decompose into table entries: every op an architecture's network runs (its latency
/// predicted as their sum), every op any architecture of the space can run (what profiling measures), and the
/// per-decision split used for an expected latency in one-shot search.
/// </summary>
public interface ISpaceLatencyModel
{
    string Space { get; }

    /// <summary>What the table covers and where the decomposition is approximate.</summary>
    string Coverage { get; }

    /// <summary>The ops of the architecture's network, in execution order.</summary>
    IReadOnlyList<OpInstance> Instances(IArchitecture architecture);

    /// <summary>Every op any architecture of the space can run (deduplicated by key).</summary>
    IReadOnlyList<OpInstance> Candidates();

    /// <summary>Whether <see cref="Choices"/> adds up to <see cref="Instances"/> for every architecture (then the cheapest
    /// choice per decision is the fastest architecture).</summary>
    bool ExactChoiceSplit { get; }

    /// <summary>Fixed ops and, per decision of <see cref="IDecisionSpace.Decisions"/> and choice, the weighted ops that choice adds.</summary>
    ChoiceInstances Choices();
}

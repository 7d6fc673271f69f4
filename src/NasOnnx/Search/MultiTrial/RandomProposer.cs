using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>Random search: uniform samples of the space (needs only <see cref="ISearchSpace"/>).</summary>
public sealed class RandomProposer(ISearchSpace space) : ITrialProposer
{
    public Proposal Propose(Random rng) => new(space.Sample(rng), [], 0);

    public void Observe(Trial trial, IArchitecture architecture) { }

    public JsonNode? SaveState() => null;

    public void LoadState(JsonNode? state, IReadOnlyList<(Trial Trial, IArchitecture Architecture)> history) { }
}

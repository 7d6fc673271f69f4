using System.Text.Json.Nodes;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>Regularized (aging) evolution with tournament selection, mutation and optional crossover.</summary>
public sealed class EvolutionStrategy : MultiTrialStrategy
{
    public override string Name => "evolution";
    public override string Description => "Regularized (aging) evolution: mutate (or cross over) the best of a sample, drop the oldest. Needs mutation.";

    protected override IReadOnlyList<ParamSpec> OwnParams => EvolutionSettings.Params;

    protected override ITrialProposer CreateProposer(ISearchSpace space, MultiTrialSettings settings) =>
        new EvolutionProposer(space as IMutableSpace ?? throw Needs(space, "mutation and crossover (IMutableSpace)"),
            settings.Evolution.Population, settings.Evolution.Sample, settings.Evolution.Crossover);

    protected override void AddPayload(ITrialProposer proposer, JsonObject payload) =>
        payload["population"] = new JsonArray(((EvolutionProposer)proposer).Population.Select(t => (JsonNode)JsonValue.Create(t.ArchId)!).ToArray());
}

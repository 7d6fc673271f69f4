using System.Text.Json.Nodes;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>REINFORCE over the space's decisions; derives the policy's most likely architecture by default.</summary>
public sealed class ReinforceStrategy : MultiTrialStrategy
{
    public override string Name => "reinforce";
    public override string Description => "REINFORCE: a softmax policy per decision, Adam/SGD on the logits, moving-average baseline, entropy bonus. Needs decisions.";
    protected override string AutoRule => "most-likely";

    protected override IReadOnlyList<ParamSpec> OwnParams => ReinforceOptions.Params;

    protected override ITrialProposer CreateProposer(ISearchSpace space, MultiTrialSettings settings) =>
        new ReinforceProposer(space as IDecisionSpace ?? throw Needs(space, "categorical decisions (IDecisionSpace)"), settings.Reinforce);

    protected override void AddPayload(ITrialProposer proposer, JsonObject payload)
    {
        var p = (ReinforceProposer)proposer;
        payload["policy"] = p.PolicyJson();
        payload["baseline"] = p.Baseline;
        payload["updates"] = p.Updates;
    }

    protected override IArchitecture MostLikely(SearchOutcome outcome, ISearchSpace space)
    {
        var decisions = space as IDecisionSpace ?? throw Needs(space, "categorical decisions (IDecisionSpace)");
        if (outcome.Payload is not { } payload || !payload.TryGetProperty("policy", out var policy) || policy.GetArrayLength() != decisions.Decisions.Count)
            throw new NasOnnxException("search.json has no REINFORCE policy that fits the space", "re-run the search stage with --force");
        var choices = policy.EnumerateArray().Select(d =>
        {
            var logits = d.GetProperty("logits").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            return Array.IndexOf(logits, logits.Max());
        }).ToArray();
        return decisions.FromChoices(choices);
    }
}

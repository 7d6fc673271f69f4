using NasOnnx.Training;
using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Supernets;
using NasOnnx.Architectures;
using NasOnnx.Artifacts;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// SPOS (Guo et al., ECCV 2020): trains one uniformly sampled path per weight step and has no architecture step; after
/// training, evolution over the inherited weights (<see cref="SposEvolution"/>) picks the architecture, optionally
/// under a latency budget (latency_target), and the rank check (<see cref="SposRankCheck"/>) can follow.
/// </summary>
public sealed class Spos : OneShotAlgorithm
{
    public override string Name => "spos";
    public override string Description => "SPOS: uniform single-path supernet training, then evolution with inherited weights and BN recalibration";
    public override SupernetMode Mode => SupernetMode.Path;
    public override bool HasArchitectureStep => false;

    public override void CheckBeforeTraining(IParamReader stage) => SposRankCheck.Validate(stage);

    public override void BeforeWeightStep(Supernet net, ISearchSpace space, Random pathRng) => net.UsePath(space.Sample(pathRng));

    protected override (string Needs, string Unset)? LatencyInputNeed(OneShotSettings s) =>
        s.LatencyTarget > 0 ? ($"latency_target {s.LatencyTarget} ms needs latency predictions", "latency_target: 0") : null;

    /// <summary>No architecture parameters to add a latency term to: the budget bounds the evolution instead.</summary>
    public override (ExpectedLatency? Expected, LatencyLoss? Loss) LatencyTerm(SearchContext context, Supernet net, OneShotSettings s, LatencyPredictor predictor)
    {
        if (s.LatencyLoss != LatencyLossKind.None)
            context.Log.Warn($"spos has no architecture parameters: latency_loss is not used; latency_target ({s.LatencyTarget} ms) bounds its evolution instead");
        return (null, null);
    }

    public override OneShotPayload AfterTraining(SearchContext context, OneShotSettings s, Supernet net, BatchLoader weightLoader, BatchLoader archLoader,
        int seed, OneShotPayload payload)
    {
        if (context.Space is not IMutableSpace mutable)
            throw context.Params.Error($"SPOS evolution needs a space with mutation; '{context.SpaceName}' has none");
        var (best, acc) = Evolve(net, mutable, weightLoader, archLoader, s, seed, context, out var rankCheck);
        context.Log.Info($"spos: best {best.ArchId} with {acc:P2} on the architecture half (inherited weights)");
        return payload with { SposBest = JsonDocument.Parse(best.ToJson(indented: false)).RootElement.Clone(), SposAccuracy = acc, RankCheck = rankCheck };
    }

    private static (IArchitecture, double) Evolve(Supernet net, IMutableSpace space, BatchLoader weightLoader, BatchLoader archLoader,
        OneShotSettings s, int seed, SearchContext context, out RankCheckResult? rankCheck)
    {
        rankCheck = null;
        List<(Tensor, Tensor)> Take(BatchLoader loader, int n) => loader.Epoch(1_000_000).Take(n)
            .Select(b => (BatchInput.Of(b), torch.tensor(b.Labels))).ToList();
        var bn = Take(weightLoader, s.SposBnBatches);
        var eval = Take(archLoader, s.SposEvalBatches);
        try
        {
            var evo = new SposEvolution(net, space, bn, eval) { Predictor = context.Latency, BudgetMs = s.LatencyTarget };
            var result = evo.Run(s.SposPopulation, s.SposGenerations, new Random(seed), context.Cancellation);
            Csv.Write(Path.Combine(context.OutputDir, "spos_log.csv"), evo.Log);
            rankCheck = SposRankCheck.RunIfAsked(new SposEvolution(net, space, bn, eval), context, seed);
            if (evo.Rejected > 0)
                context.Log.Info($"spos: {evo.Rejected} candidates rejected before scoring, predicted over latency_target {s.LatencyTarget} ms");
            return result;
        }
        finally
        {
            foreach (var (x, y) in bn.Concat(eval)) { x.Dispose(); y.Dispose(); }
        }
    }
}

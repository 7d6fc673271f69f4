using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Training;
using NasOnnx.Core;
using NasOnnx.Plots;
using NasOnnx.Artifacts;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// Does the SPOS supernet rank architectures the way training them does? The whole premise of weight sharing is that
/// inherited-weight accuracy orders candidates like stand-alone accuracy; when it does not, SPOS' evolution optimizes
/// noise. This check samples N distinct random architectures, scores each with the trained supernet (batch norm
/// recalibrated, as the evolution does) and with a short stand-alone training (the multi-trial evaluator, cached in
/// the state folder so a killed search resumes without retraining), and reports Kendall tau between the two.
/// Off by default (spos_rank_archs: 0): it costs N short trainings.
/// </summary>
public static class SposRankCheck
{
    public const string FileName = "rank_correlation.csv";
    public const string PlotName = "rank_correlation.png";

    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Int("spos_rank_archs", 0, "spos: after the search, Kendall tau between supernet accuracy and short stand-alone training over this many random architectures (0: off; 20 or more is meaningful)"),
        ParamSpec.Int("spos_rank_epochs", 1, "spos rank check: stand-alone training epochs per architecture"),
        ParamSpec.Float("spos_rank_data_fraction", 0.1, "spos rank check: share of the training images each stand-alone training uses"),
    ];

    private static int Count(IParamReader stage) => stage.Params.ContainsKey("spos_rank_archs") ? (int)stage.Int("spos_rank_archs") : 0;

    /// <summary>Checks the params before the supernet trains, so a typo does not cost a search.</summary>
    public static void Validate(IParamReader stage)
    {
        int count = Count(stage);
        if (count <= 0) return;
        if (count < 3)
            throw stage.Error($"spos_rank_archs is {count}: Kendall tau needs at least 3 architectures", "set spos_rank_archs: 20 (or 0 to turn the check off)", stage.PipelineFile);
        double fraction = stage.Float("spos_rank_data_fraction");
        if (fraction is <= 0 or > 1)
            throw stage.Error($"spos_rank_data_fraction must be in (0, 1], got {fraction}", "set e.g. spos_rank_data_fraction: 0.1", stage.PipelineFile);
        if (stage.Int("spos_rank_epochs") < 1)
            throw stage.Error($"spos_rank_epochs must be 1 or more, got {stage.Int("spos_rank_epochs")}", "set e.g. spos_rank_epochs: 1", stage.PipelineFile);
    }

    public static RankCheckResult? RunIfAsked(SposEvolution scorer, SearchContext context, int seed)
    {
        var stage = context.Params;
        int count = Count(stage);
        if (count <= 0) return null; // params were checked by Validate before the supernet trained
        double fraction = stage.Float("spos_rank_data_fraction");

        // A seed apart from the evolution's, so the check's architectures are not the evolution's first population.
        var archs = LatencyValidation.Sample(context.Space, count, seed + 104729);
        if (archs.Count < 3)
            throw stage.Error($"the space has only {archs.Count} distinct architectures to rank", "use a larger space or turn the check off (spos_rank_archs: 0)");
        var evaluator = new CachingEvaluator(new StandAloneEvaluator(context.Data, new TrainingRecipe
        {
            BatchSize = 64,
            LearningRate = 0.05,
            WeightDecay = 3e-4,
        }, [new TrialBudget((int)stage.Int("spos_rank_epochs"), fraction)], context.Seed, context.Log, context.StateDir), Path.Combine(context.StateDir, "rank_check_cache.json"));

        var rows = new List<RankCheckRow>();
        using (var bar = context.Log.Progress("spos rank check", archs.Count))
            for (int i = 0; i < archs.Count; i++)
            {
                double supernet = scorer.Score(archs[i], generation: -1, context.Cancellation);
                double alone = Objectives.Get(evaluator.Evaluate(archs[i], 0, context.Cancellation), "accuracy");
                rows.Add(new RankCheckRow(i + 1, archs[i].ArchId, supernet, alone, archs[i].ToJson(indented: false)));
                bar.Advance(1, $"{archs[i].ArchId}: supernet {supernet:0.000} stand-alone {alone:0.000}");
            }
        var result = Summarize(rows, context.SpaceOptions.Classes);
        Csv.Write(Path.Combine(context.OutputDir, FileName), rows);
        RankCheckPlot.Write(Path.Combine(context.OutputDir, PlotName), rows, result, ChanceThreshold(context.SpaceOptions.Classes));
        string aboveChance = result.AtChanceLevel == 0 ? "" : result.KendallTauAboveChance is { } t
            ? $"; {t:0.000} over the {rows.Count - result.AtChanceLevel} that learned ({result.AtChanceLevel} at chance level)"
            : $"; {result.AtChanceLevel} at chance level";
        context.Log.Info($"spos rank check: Kendall tau {result.KendallTau:0.000} between supernet and stand-alone accuracy over {rows.Count} architectures{aboveChance} " +
                       $"(means {result.SupernetMean:P1} / {result.StandAloneMean:P1})");
        return result;
    }

    /// <summary>
    /// Stand-alone accuracy below which an architecture did not learn: 1.5x chance (15% with 10 classes). Trained
    /// cells of any of our spaces are far above it; a cell with a constant output sits at chance.
    /// </summary>
    public static double ChanceThreshold(int classes) => 1.5 / classes;

    /// <summary>Kendall tau over all rows, and over the rows above <see cref="ChanceThreshold"/>.</summary>
    public static RankCheckResult Summarize(IReadOnlyList<RankCheckRow> rows, int classes)
    {
        static double Tau(IEnumerable<RankCheckRow> r) =>
            LatencyValidation.KendallTau(r.Select(x => x.SupernetAccuracy).ToList(), r.Select(x => x.StandAloneAccuracy).ToList());
        var learned = rows.Where(r => r.StandAloneAccuracy >= ChanceThreshold(classes)).ToList();
        return new RankCheckResult(rows.Count, Tau(rows), rows.Average(r => r.SupernetAccuracy), rows.Average(r => r.StandAloneAccuracy),
            rows.Count - learned.Count, learned.Count >= 3 ? Tau(learned) : null);
    }
}

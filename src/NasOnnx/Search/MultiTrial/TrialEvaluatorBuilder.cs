using NasOnnx.Search.Latency;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The evaluator a multi-trial search asks: stand-alone training with the settings' trial recipe and rungs (or a test's
/// replacement), plus each trial's latency (predicted, or measured on the trained network) when the search deals with
/// latency, cached by ArchId in the state folder.
/// </summary>
public static class TrialEvaluatorBuilder
{
    /// <param name="replacement">Tests: replaces the stand-alone training evaluator (it is still cached).</param>
    public static CachingEvaluator Build(SearchContext context, MultiTrialSettings settings, Func<SearchContext, IEvaluator>? replacement) =>
        new(BuildScored(context, settings, replacement), Path.Combine(context.StateDir, CachingEvaluator.FileName));

    /// <summary>The evaluator without the cache: what a trial worker process runs for one architecture.</summary>
    public static IEvaluator BuildScored(SearchContext context, MultiTrialSettings settings, Func<SearchContext, IEvaluator>? replacement)
    {
        var latency = settings.Latency;
        var predictor = context.Latency;
        ILatencySource? source = !latency.Active ? null
            : latency.Source == "measured" ? new MeasuredLatency(latency.MeasurementOptions(predictor, context.Seed))
            : new PredictedLatency(predictor!);
        var inner = replacement?.Invoke(context) ?? new StandAloneEvaluator(context.Data, settings.TrialRecipe, settings.Rungs, context.Seed, context.Log, context.StateDir)
        {
            Latency = source as MeasuredLatency,
            KeepWeights = latency.Pareto && latency.ExportFront,
            Augmentation = settings.Augmentation,
        };
        return source is null ? inner : new LatencyEvaluator(inner, source, predictor);
    }
}

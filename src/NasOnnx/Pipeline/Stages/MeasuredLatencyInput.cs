using NasOnnx.Search.Latency;
using NasOnnx.Search;
using NasOnnx.Spaces;
using NasOnnx.Latency;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// A measured latency another stage left behind, for the export stage's metadata: a benchmark stage's latency.json, or
/// a latency-constrained search's search.json (the winner's measured p50/p90 from its final candidates). It must be the
/// latency of the architecture being exported; anything else would put a false number into the model.
/// </summary>
public sealed record MeasuredLatencyInput(double P50Ms, double P90Ms, string Device, string Source, string ArchId)
{
    public static MeasuredLatencyInput Read(StageContext context, string dir, string exportedArchId)
    {
        string bench = Path.Combine(dir, BenchmarkResult.FileName);
        string search = Path.Combine(dir, SearchOutcome.FileName);
        MeasuredLatencyInput found;
        if (File.Exists(bench)) found = FromBenchmark(context, dir, bench);
        else if (File.Exists(search)) found = FromSearch(context, dir, search);
        else
            throw context.Error($"the `latency` input {dir} has neither {BenchmarkResult.FileName} nor {SearchOutcome.FileName}",
                "name a benchmark stage, or a search stage run with latency_target and final_candidates > 0", context.PipelineFile);
        if (found.ArchId.Length > 0 && found.ArchId != exportedArchId)
            throw context.Error($"the `latency` input measured architecture {found.ArchId}, but this stage exports {exportedArchId}",
                "give the latency of the exported architecture: a search whose derived architecture was retrained unchanged (derive rule best, no width/cells " +
                "override in retrain), or a benchmark stage of this model", context.PipelineFile);
        return found;
    }

    private static MeasuredLatencyInput FromBenchmark(StageContext context, string dir, string path)
    {
        try
        {
            var bench = BenchmarkResult.TryLoad(dir)!;
            return new MeasuredLatencyInput(bench.P50Ms, bench.P90Ms, bench.Device, "benchmark", bench.ArchId);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, path);
        }
    }

    private static MeasuredLatencyInput FromSearch(StageContext context, string dir, string path)
    {
        var outcome = SearchOutcome.Load(dir);
        if (!outcome.BestObjectives.TryGetValue(MeasuredFinalists.P50Key, out double p50))
            throw context.Error("the search in the `latency` input did not measure its winner",
                "run that search with latency_target and final_candidates > 0, or give a benchmark stage as the `latency` input", path);
        return new MeasuredLatencyInput(p50, outcome.BestObjectives.TryGetValue(MeasuredFinalists.P90Key, out double p90) ? p90 : double.NaN, MeasuredFinalists.DeviceOf(outcome),
            "search final candidates", SpaceRegistry.Parse(outcome.Best.GetRawText()).ArchId);
    }
}

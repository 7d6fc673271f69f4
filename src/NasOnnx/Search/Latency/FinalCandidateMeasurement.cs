using NasOnnx.Core;
using NasOnnx.Latency;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// The end of a multi-trial search with a latency target and final_candidates &gt; 0: measures the best few candidates
/// (<see cref="FinalCandidates"/>), writes final_candidates.csv, logs each, and picks the winner (the most preferred one
/// whose measured p50 meets the target; the search's best, with a warning, when none does).
/// </summary>
public sealed class FinalCandidateMeasurement(string outputDir, long seed, IRunLog log)
{
    /// <param name="preferred">The search's candidates, best first (may repeat an architecture across rungs).</param>
    public MeasuredFinalists Measure(IReadOnlyList<Trial> preferred, LatencySettings latency, LatencyPredictor? predictor, Func<Trial, IArchitecture> architecture)
    {
        var ranked = preferred.DistinctBy(t => t.ArchId).Take(latency.FinalCandidates).Select(t => (t, architecture(t))).ToList();
        var measure = new MeasuredLatency(latency.MeasurementOptions(predictor, seed));
        log.Info($"measuring the {ranked.Count} final candidate(s) with ONNX Runtime ({measure.Options.Runs} runs each, batch {measure.Options.Batch}, {measure.Options.Threads} thread(s))");
        var (finals, device) = FinalCandidates.Measure(ranked, measure, predictor, latency.TargetMs, (int)(seed & 0x7fffffff));
        FinalCandidates.Write(Path.Combine(outputDir, FinalCandidates.FileName), finals);
        var winner = FinalCandidates.Winner(finals);
        foreach (var f in finals)
            log.Info($"  {f.Trial.ArchId}: accuracy {f.Accuracy:0.0000}, predicted {(f.PredictedMs is double p ? $"{p:0.000} ms" : "-")}, " +
                     $"measured p50 {f.MeasuredP50Ms:0.000} ms p90 {f.MeasuredP90Ms:0.000} ms{(f.MeetsTarget ? "" : $" > target {latency.TargetMs:0.###} ms")}");
        var chosen = winner ?? finals[0];
        if (winner is null)
            log.Warn($"none of the {finals.Count} final candidates meets latency_target {latency.TargetMs:0.###} ms when measured " +
                     $"(fastest measured p50 {finals.Min(f => f.MeasuredP50Ms):0.000} ms): keeping the search's best {finals[0].Trial.ArchId}, which MISSES the target. " +
                     "Lower latency_margin (e.g. 0.9) so that candidates are kept further under the target, raise final_candidates, or raise the target");
        else
            log.Info($"winner {winner.Trial.ArchId}: measured p50 {winner.MeasuredP50Ms:0.000} ms <= target {latency.TargetMs:0.###} ms");
        return new MeasuredFinalists(finals, chosen, winner is not null, device, latency.TargetMs);
    }
}

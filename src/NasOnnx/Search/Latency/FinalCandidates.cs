using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// The end of a multi-trial search with a latency target: the best few candidates (in the search's order of
/// preference) are exported and measured together (interleaved rounds, so a burst of load hits all alike), and the
/// winner is the most preferred one whose measured p50 meets the target. Predictions pick candidates; a measurement
/// decides, because a table-sum prediction can be a few percent off and the machine's speed drifts.
/// </summary>
public static class FinalCandidates
{
    public const string FileName = "final_candidates.csv";

    /// <summary>The first candidate (in preference order) that meets the target; null when none does.</summary>
    public static FinalCandidate? Winner(IReadOnlyList<FinalCandidate> candidates) => candidates.FirstOrDefault(c => c.MeetsTarget);

    /// <summary>Measures the candidates (given best first) with seeded random weights; latency does not depend on the weight values.</summary>
    public static (IReadOnlyList<FinalCandidate> Candidates, DeviceFingerprint Fingerprint) Measure(
        IReadOnlyList<(Trial Trial, IArchitecture Architecture)> ranked, MeasuredLatency measure, ILatencyPredictor? predictor, double targetMs, int seed)
    {
        var models = ranked.Select(r => MeasuredLatency.OnnxBytes(r.Architecture, null, seed)).ToList();
        var m = measure.MeasureInterleaved(models);
        var result = ranked.Select((r, i) => new FinalCandidate(r.Trial, predictor?.PredictMs(r.Architecture), m[i].Stats.P50, m[i].Stats.P90, m[i].Stats.P50 <= targetMs)).ToList();
        return (result, m[0].Fingerprint);
    }

    public static void Write(string path, IReadOnlyList<FinalCandidate> candidates) =>
        Csv.WriteTable(path, ["rank", "trial", "arch_id", "score", "accuracy", "predicted_ms", "measured_p50_ms", "measured_p90_ms", "meets_target"],
            candidates.Select((c, i) => (IReadOnlyList<string>)
            [
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                c.Trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                c.Trial.ArchId,
                Csv.Format(c.Trial.Score),
                Csv.Format(c.Accuracy),
                c.PredictedMs is double p ? Csv.Format(p) : "",
                Csv.Format(c.MeasuredP50Ms),
                Csv.Format(c.MeasuredP90Ms),
                c.MeetsTarget ? "true" : "false",
            ]));
}

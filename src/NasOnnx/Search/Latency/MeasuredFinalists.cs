using System.Text.Json.Nodes;
using NasOnnx.Latency;

namespace NasOnnx.Search.Latency;

/// <summary>
/// The measured final candidates (best first), the one the search keeps (<see cref="Chosen"/>: the winner, or the first
/// when none meets the target) and the device they were measured on.
/// </summary>
public sealed record MeasuredFinalists(IReadOnlyList<FinalCandidate> Candidates, FinalCandidate Chosen, bool MeetsTarget, DeviceFingerprint Device, double TargetMs)
{
    /// <summary>The keys of the winner's measured latency in search.json's best_objectives.</summary>
    public const string P50Key = "measured_p50_ms", P90Key = "measured_p90_ms";

    /// <summary>search.json's best_objectives: the chosen trial's objectives, its score and its measured latency.</summary>
    public SortedDictionary<string, double> BestObjectives() =>
        new(Chosen.Trial.Objectives, StringComparer.Ordinal)
        {
            ["score"] = Chosen.Trial.Score,
            [P50Key] = Chosen.MeasuredP50Ms,
            [P90Key] = Chosen.MeasuredP90Ms,
        };

    /// <summary>search.json's `final`.</summary>
    public JsonObject ToJson() => new()
    {
        ["target_ms"] = TargetMs,
        ["winner"] = Chosen.Trial.ArchId,
        ["meets_target"] = MeetsTarget,
        [P50Key] = Chosen.MeasuredP50Ms,
        [P90Key] = Chosen.MeasuredP90Ms,
        ["device"] = Device.ToString(),
        ["fingerprint_id"] = Device.Id,
        ["candidates"] = new JsonArray(Candidates.Select(f => (JsonNode)new JsonObject
        {
            ["arch_id"] = f.Trial.ArchId,
            ["accuracy"] = f.Accuracy,
            ["predicted_ms"] = f.PredictedMs,
            [P50Key] = f.MeasuredP50Ms,
            [P90Key] = f.MeasuredP90Ms,
            ["meets_target"] = f.MeetsTarget,
        }).ToArray()),
    };

    /// <summary>The device the finalists of a saved search were measured on ("" when it measured none): `final.device` of <see cref="ToJson"/>.</summary>
    public static string DeviceOf(SearchOutcome outcome) =>
        outcome.Payload is { } p && p.TryGetProperty("final", out var f) && f.TryGetProperty("device", out var d) ? d.GetString() ?? "" : "";
}

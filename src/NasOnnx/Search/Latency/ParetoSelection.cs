using System.Text.Json.Nodes;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Artifacts;

namespace NasOnnx.Search.Latency;

/// <summary>
/// What <see cref="ParetoFrontService"/> chose: the front in order of preference (the derived point first), the front
/// fastest first with its points, and the derive rule in words.
/// </summary>
public sealed record ParetoSelection(IReadOnlyList<Trial> Preferred, IReadOnlyList<(Trial Trial, ParetoPoint Point)> Front, string Rule)
{
    /// <summary>search.json's `pareto` (the front, fastest first) and `pareto_rule`.</summary>
    public void AddTo(JsonObject payload)
    {
        payload["pareto"] = new JsonArray(Front.Select(f => (JsonNode)new JsonObject
        {
            ["arch_id"] = f.Trial.ArchId,
            ["accuracy"] = f.Point.Accuracy,
            ["latency_ms"] = f.Point.LatencyMs,
        }).ToArray());
        payload["pareto_rule"] = Rule;
    }
}

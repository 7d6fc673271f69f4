using NasOnnx.Artifacts;
namespace NasOnnx.Search.Latency;

/// <summary>
/// The non-dominated set of accuracy (higher is better) against latency (lower is better). A point dominates another
/// when it is at least as accurate and at least as fast, and strictly better in one of the two. Equal points do not
/// dominate each other, so ties are all kept on the front. Points with a NaN coordinate are never on it.
/// </summary>
public static class ParetoFront
{
    public static bool Dominates(ParetoPoint a, ParetoPoint b) =>
        a.Accuracy >= b.Accuracy && a.LatencyMs <= b.LatencyMs && (a.Accuracy > b.Accuracy || a.LatencyMs < b.LatencyMs);

    /// <summary>Indices of the front, fastest first (ties in latency: the more accurate first, then the lower index).</summary>
    public static IReadOnlyList<int> Indices(IReadOnlyList<ParetoPoint> points)
    {
        var front = new List<int>();
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (double.IsNaN(p.Accuracy) || double.IsNaN(p.LatencyMs)) continue;
            bool dominated = false;
            for (int j = 0; j < points.Count && !dominated; j++)
                dominated = j != i && !double.IsNaN(points[j].Accuracy) && !double.IsNaN(points[j].LatencyMs) && Dominates(points[j], p);
            if (!dominated) front.Add(i);
        }
        return front.OrderBy(i => points[i].LatencyMs).ThenByDescending(i => points[i].Accuracy).ThenBy(i => i).ToList();
    }

    /// <summary>
    /// The derive rule over a front: the most accurate point whose latency is at most <paramref name="limitMs"/> (ties:
    /// the faster, then the lower index); without a limit the most accurate point. Null when no front point meets the limit.
    /// </summary>
    public static int? MostAccurateUnder(IReadOnlyList<ParetoPoint> points, IReadOnlyList<int> front, double? limitMs)
    {
        var ok = front.Where(i => limitMs is not double l || points[i].LatencyMs <= l).ToList();
        if (ok.Count == 0) return null;
        return ok.OrderByDescending(i => points[i].Accuracy).ThenBy(i => points[i].LatencyMs).ThenBy(i => i).First();
    }
}

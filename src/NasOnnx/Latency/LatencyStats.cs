namespace NasOnnx.Latency;

/// <summary>
/// Summary statistics of a latency sample, in milliseconds. <see cref="Typical"/> is the statistic tables and
/// validation use (<see cref="Statistic"/>: p50 by default; p10 or min resist other processes' load better).
/// </summary>
public sealed record LatencyStats(int Runs, double P50, double P90, double Mean, double Std, double Min, double Max, double P10 = double.NaN, string Statistic = "p50")
{
    public static IReadOnlyList<string> Statistics { get; } = ["p50", "p10", "min"];

    public double Typical => Statistic switch
    {
        "p10" => double.IsNaN(P10) ? P50 : P10,
        "min" => Min,
        _ => P50,
    };

    /// <summary>Summarizes samples (ms). Percentiles interpolate linearly between order statistics.</summary>
    public static LatencyStats From(IReadOnlyList<double> samples, string statistic = "p50")
    {
        if (samples.Count == 0) throw new ArgumentException("No samples.", nameof(samples));
        var sorted = samples.Order().ToArray();
        double mean = sorted.Average();
        double var = sorted.Length > 1 ? sorted.Sum(v => (v - mean) * (v - mean)) / (sorted.Length - 1) : 0;
        return new LatencyStats(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.9), mean, Math.Sqrt(var), sorted[0], sorted[^1], Percentile(sorted, 0.1), statistic);
    }

    /// <summary>The q-quantile (0..1) of already sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.Order().ToArray(), 0.5);
}

namespace NasOnnx.Latency;

/// <summary>Summary statistics of a latency sample, in milliseconds.</summary>
public sealed record LatencyStats(int Runs, double P50, double P90, double Mean, double Std, double Min, double Max)
{
    /// <summary>Summarizes samples (ms). Percentiles interpolate linearly between order statistics.</summary>
    public static LatencyStats From(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("No samples.", nameof(samples));
        var sorted = samples.Order().ToArray();
        double mean = sorted.Average();
        double var = sorted.Length > 1 ? sorted.Sum(v => (v - mean) * (v - mean)) / (sorted.Length - 1) : 0;
        return new LatencyStats(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.9), mean, Math.Sqrt(var), sorted[0], sorted[^1]);
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

using System.Globalization;
using System.Text;

namespace NasOnnx.Reporting;

/// <summary>One network of a comparison, trained with several seeds: its size, its latency and the accuracy of each seed.</summary>
public sealed record CandidateResult(string Name, long Parameters, long Macs, double P50Ms, double P90Ms, IReadOnlyList<double> Accuracies)
{
    public double Mean => Accuracies.Average();

    /// <summary>Sample standard deviation over the seeds (0 with one seed).</summary>
    public double StandardDeviation
    {
        get
        {
            if (Accuracies.Count < 2) return 0;
            double mean = Mean;
            return Math.Sqrt(Accuracies.Sum(a => (a - mean) * (a - mean)) / (Accuracies.Count - 1));
        }
    }
}

/// <summary>
/// The table of a hand-designed-vs-searched comparison: per candidate its size, latency and test accuracy over seeds,
/// and how far the reference candidate (the searched network) is ahead of it in standard deviations.
/// </summary>
public static class CandidateComparison
{
    /// <summary>
    /// The reference's lead over <paramref name="other"/> in pooled standard deviations of the two accuracy samples:
    /// (mean_ref - mean_other) / sqrt((sd_ref^2 + sd_other^2) / 2). NaN when both spreads are 0 (fewer than 2 seeds or
    /// identical accuracies), where a number in SDs would mean nothing.
    /// </summary>
    public static double MarginInSds(CandidateResult reference, CandidateResult other)
    {
        double pooled = Math.Sqrt((Square(reference.StandardDeviation) + Square(other.StandardDeviation)) / 2);
        return pooled > 0 ? (reference.Mean - other.Mean) / pooled : double.NaN;
    }

    private static double Square(double x) => x * x;

    public static IReadOnlyList<string> Header { get; } =
        ["candidate", "seeds", "parameters", "macs", "p50_ms", "p90_ms", "accuracy_mean", "accuracy_sd", "accuracy_min", "accuracy_max", "accuracies", "margin_sd", "meets_target"];

    /// <summary>The CSV rows, in the candidates' order; margin_sd is empty on the reference's row.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(IReadOnlyList<CandidateResult> candidates, CandidateResult reference, double latencyTarget) =>
        candidates.Select(c => (IReadOnlyList<string>)
        [
            c.Name, I(c.Accuracies.Count), I(c.Parameters), I(c.Macs), F(c.P50Ms), F(c.P90Ms), F(c.Mean), F(c.StandardDeviation),
            F(c.Accuracies.Min()), F(c.Accuracies.Max()), string.Join(" ", c.Accuracies.Select(F)),
            c == reference ? "" : F(MarginInSds(reference, c)),
            latencyTarget > 0 ? (c.P50Ms <= latencyTarget ? "true" : "false") : "",
        ]);

    /// <summary>The Markdown table the README and the report show.</summary>
    public static string Markdown(IReadOnlyList<CandidateResult> candidates, CandidateResult reference, double latencyTarget)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| network | params | MACs | p50 ms | p90 ms | test accuracy, mean ± SD (seeds) | min - max | " + reference.Name + "'s margin |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|---|---:|");
        foreach (var c in candidates)
        {
            double margin = MarginInSds(reference, c);
            string marginText = c == reference ? "" : double.IsNaN(margin) ? "n/a" : $"{margin.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)} SD";
            string over = latencyTarget > 0 && c.P50Ms > latencyTarget ? " (over target)" : "";
            sb.AppendLine($"| {c.Name} | {c.Parameters:N0} | {c.Macs / 1e6:0.0}M | {c.P50Ms:0.000}{over} | {c.P90Ms:0.000} | " +
                          $"{100 * c.Mean:0.00}% ± {100 * c.StandardDeviation:0.00} ({c.Accuracies.Count}) | {100 * c.Accuracies.Min():0.00} - {100 * c.Accuracies.Max():0.00} | {marginText} |");
        }
        return sb.ToString();
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.######", CultureInfo.InvariantCulture);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}

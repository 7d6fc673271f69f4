using NasOnnx.Architectures;
using NasOnnx.Artifacts;

namespace NasOnnx.Latency;

/// <summary>Prediction accuracy metrics and the whole-model measurement used by calibration and validation.</summary>
public static class LatencyValidation
{
    /// <summary>Distinct random architectures (up to <paramref name="count"/>; small spaces may have fewer).</summary>
    public static IReadOnlyList<IArchitecture> Sample(ISearchSpace space, int count, int seed, ISet<string>? exclude = null)
    {
        var rng = new Random(seed);
        var seen = new HashSet<string>(exclude ?? new HashSet<string>(), StringComparer.Ordinal);
        var result = new List<IArchitecture>();
        for (int attempt = 0; attempt < count * 50 && result.Count < count; attempt++)
        {
            var a = space.Sample(rng);
            if (seen.Add(a.ArchId)) result.Add(a);
        }
        return result;
    }

    /// <summary>
    /// Architectures for calibration that span the space's range of table sums: many candidates sampled, sorted by
    /// their uncalibrated prediction, and <paramref name="count"/> taken at evenly spaced ranks (smallest and largest included),
    /// so the fit interpolates rather than extrapolates.
    /// </summary>
    public static IReadOnlyList<IArchitecture> SampleSpread(ISearchSpace space, LatencyPredictor uncalibrated, int count, int seed, int pool = 25)
    {
        var candidates = Sample(space, Math.Max(count, count * pool), seed).OrderBy(uncalibrated.TableSumMs).ToArray();
        if (candidates.Length <= count || count < 2) return candidates.Take(count).ToArray();
        return Enumerable.Range(0, count).Select(i => candidates[(int)Math.Round(i * (candidates.Length - 1) / (double)(count - 1))]).Distinct().ToArray();
    }

    public static ValidationRow Row(LatencyPredictor predictor, IArchitecture arch, LatencyMeasurement m)
    {
        double sum = predictor.TableSumMs(arch);
        double pred = predictor.Calibration.Apply(sum);
        double err = (pred - m.Stats.Typical) / m.Stats.Typical * 100;
        return new ValidationRow(arch.Space, arch.ArchId, sum, pred, m.Stats.Typical, m.Stats.P90, err, Math.Abs(err) <= 10, arch.ToJson(indented: false));
    }

    public static double ShareWithin(IReadOnlyList<double> predicted, IReadOnlyList<double> measured, double percent) =>
        predicted.Count == 0 ? double.NaN : predicted.Zip(measured).Count(p => Math.Abs(p.First - p.Second) <= percent / 100 * p.Second) / (double)predicted.Count;

    public static double Mape(IReadOnlyList<double> predicted, IReadOnlyList<double> measured) =>
        predicted.Count == 0 ? double.NaN : predicted.Zip(measured).Average(p => Math.Abs(p.First - p.Second) / p.Second) * 100;

    /// <summary>Kendall's tau-b (ties in either list counted as neither concordant nor discordant).</summary>
    public static double KendallTau(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("Lists differ in length.", nameof(y));
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < x.Count; i++)
            for (int j = i + 1; j < x.Count; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0 && sy == 0) continue;
                if (sx == 0) tiesX++;
                else if (sy == 0) tiesY++;
                else if (sx == sy) concordant++;
                else discordant++;
            }
        double denom = Math.Sqrt((double)(concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denom == 0 ? double.NaN : (concordant - discordant) / denom;
    }
}

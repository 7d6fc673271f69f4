namespace NasOnnx.Latency;

/// <summary>
/// measured = Scale * table sum + OverheadMs, fitted by least squares on a few measured whole models. The squares
/// are of relative errors ((predicted - measured) / measured), the quantity the +-10% target is about, so small
/// models weigh as much as large ones.
/// </summary>
public sealed record LatencyCalibration(double Scale, double OverheadMs, int Models, double FitMape)
{
    public static LatencyCalibration Identity { get; } = new(1, 0, 0, double.NaN);

    /// <summary>Weighted least squares on (table sum, measured) pairs; fewer than 2 points or no spread in the sums fit the overhead alone.</summary>
    public static LatencyCalibration Fit(IReadOnlyList<(double TableSum, double Measured)> points)
    {
        if (points.Count == 0) return Identity;
        // minimize sum w (a x + b - y)^2 with w = 1 / y^2
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            double w = 1 / Math.Max(y * y, 1e-18);
            sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
        }
        double mx = sx / sw, my = sy / sw;
        double vxx = sxx / sw - mx * mx, vxy = sxy / sw - mx * my;
        double scale = points.Count >= 2 && vxx > 1e-12 * Math.Max(1, mx * mx) ? vxy / vxx : 1.0;
        double overhead = my - scale * mx;
        double mape = points.Average(p => Math.Abs(scale * p.TableSum + overhead - p.Measured) / p.Measured) * 100;
        return new LatencyCalibration(scale, overhead, points.Count, mape);
    }

    public double Apply(double tableSum) => Scale * tableSum + OverheadMs;
}

using ScottPlot;
using NasOnnx.Artifacts;

namespace NasOnnx.Plots;

/// <summary>Predicted-versus-measured scatter with the identity line and the +-10% band, rendered to PNG (headless).</summary>
public static class LatencyPlot
{
    public static void PredictedVsMeasured(string path, IReadOnlyList<ValidationRow> rows, string title)
    {
        var plot = new Plot();
        double[] measured = rows.Select(r => r.MeasuredMs).ToArray();
        double[] predicted = rows.Select(r => r.PredictedMs).ToArray();
        double lo = Math.Min(measured.DefaultIfEmpty(0).Min(), predicted.DefaultIfEmpty(0).Min()) * 0.9;
        double hi = Math.Max(measured.DefaultIfEmpty(1).Max(), predicted.DefaultIfEmpty(1).Max()) * 1.1;
        var inside = rows.Where(r => r.Within10).ToArray();
        var outside = rows.Where(r => !r.Within10).ToArray();
        if (inside.Length > 0)
        {
            var s = plot.Add.ScatterPoints(inside.Select(r => r.MeasuredMs).ToArray(), inside.Select(r => r.PredictedMs).ToArray());
            s.LegendText = "within +-10%";
            s.MarkerSize = 7;
        }
        if (outside.Length > 0)
        {
            var s = plot.Add.ScatterPoints(outside.Select(r => r.MeasuredMs).ToArray(), outside.Select(r => r.PredictedMs).ToArray());
            s.LegendText = "outside";
            s.MarkerSize = 7;
            s.Color = Colors.Red;
        }
        var identity = plot.Add.Line(lo, lo, hi, hi);
        identity.LegendText = "predicted = measured";
        identity.Color = Colors.Black;
        foreach (double f in new[] { 0.9, 1.1 })
        {
            var band = plot.Add.Line(lo, lo * f, hi, hi * f);
            band.Color = Colors.Gray;
            band.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.SetLimits(lo, hi, lo, hi);
        plot.Title(title);
        plot.XLabel("measured latency (ms)");
        plot.YLabel("predicted latency (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.SavePng(plot, path, 640, 560);
    }
}

using ScottPlot;
using NasOnnx.Artifacts;

namespace NasOnnx.Plots;

/// <summary>pareto.png: every evaluated architecture in grey, the front highlighted and joined, the pick starred, the target as a dashed line.</summary>
public static class ParetoPlot
{
    public const string FileName = "pareto.png";

    public static void Write(string path, IReadOnlyList<ParetoPoint> points, IReadOnlyList<int> front, int? chosen, double? targetMs, string title,
        int width = 800, int height = 500)
    {
        var plot = new Plot();
        if (points.Count > 0)
        {
            var all = plot.Add.ScatterPoints(points.Select(p => p.LatencyMs).ToArray(), points.Select(p => p.Accuracy).ToArray());
            all.LegendText = "evaluated";
            all.Color = Colors.Gray.WithAlpha(0.6);
            all.MarkerSize = 6;
        }
        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(i => points[i].LatencyMs).ToArray(), front.Select(i => points[i].Accuracy).ToArray());
            line.LegendText = "Pareto front";
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.Color = Colors.Blue;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }
        if (chosen is int c)
        {
            var pick = plot.Add.ScatterPoints(new[] { points[c].LatencyMs }, new[] { points[c].Accuracy });
            pick.LegendText = "derived";
            pick.Color = Colors.Red;
            pick.MarkerShape = MarkerShape.FilledDiamond;
            pick.MarkerSize = 14;
        }
        if (targetMs is double t && t > 0)
        {
            var v = plot.Add.VerticalLine(t);
            v.LegendText = $"target {t:0.###} ms";
            v.Color = Colors.Red;
            v.LinePattern = LinePattern.Dashed;
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title(title);
        plot.XLabel("latency (ms)");
        plot.YLabel("validation accuracy");
        PlotFile.WritePng(plot, path, width, height);
    }
}

using ScottPlot;

namespace NasOnnx.Plots;

/// <summary>search_progress.png: every trial's score by evaluation, and the best so far as a step line.</summary>
public static class SearchPlot
{
    public const string FileName = "search_progress.png";

    /// <param name="scores">Scores in evaluation order.</param>
    public static void Write(string path, IReadOnlyList<double> scores, string objective, string title, int width = 800, int height = 450)
    {
        var plot = new Plot();
        if (scores.Count > 0)
        {
            double[] xs = Enumerable.Range(1, scores.Count).Select(i => (double)i).ToArray();
            double[] ys = [.. scores];
            double[] best = new double[ys.Length];
            for (int i = 0; i < ys.Length; i++) best[i] = i == 0 ? ys[0] : Math.Max(best[i - 1], ys[i]);
            var points = plot.Add.ScatterPoints(xs, ys);
            points.LegendText = "trial";
            points.MarkerSize = 5;
            var line = plot.Add.Scatter(xs, best);
            line.LegendText = "best so far";
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            plot.ShowLegend(Alignment.LowerRight);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("evaluation");
        plot.YLabel(objective);
        PlotFile.WritePng(plot, path, width, height);
    }
}

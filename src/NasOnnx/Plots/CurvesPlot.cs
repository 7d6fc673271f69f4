using NasOnnx.Artifacts;

namespace NasOnnx.Plots;

/// <summary>curves.png: train/validation loss (left axis) and accuracy (right axis) per epoch, drawn with ScottPlot.</summary>
public static class CurvesPlot
{
    public static void Write(string path, IReadOnlyList<EpochMetrics> history, string title = "training curves", int width = 900, int height = 500)
    {
        var plot = new ScottPlot.Plot();
        double[] x = history.Select(h => (double)h.Epoch).ToArray();
        void Line(Func<EpochMetrics, double> f, string label, bool right, ScottPlot.LinePattern pattern)
        {
            var s = plot.Add.Scatter(x, history.Select(f).ToArray());
            s.LegendText = label;
            s.LinePattern = pattern;
            s.LineWidth = 2;
            if (right) s.Axes.YAxis = plot.Axes.Right;
        }
        Line(h => h.TrainLoss, "train loss", false, ScottPlot.LinePattern.Solid);
        Line(h => h.ValLoss, "val loss", false, ScottPlot.LinePattern.Dashed);
        Line(h => h.TrainAcc, "train acc", true, ScottPlot.LinePattern.Solid);
        Line(h => h.ValAcc, "val acc", true, ScottPlot.LinePattern.Dashed);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy";
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        PlotFile.WritePng(plot, path, width, height);
    }
}

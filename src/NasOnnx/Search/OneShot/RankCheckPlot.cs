using ScottPlot;

namespace NasOnnx.Search.OneShot;

/// <summary>Supernet accuracy against stand-alone accuracy, one point per architecture, Kendall tau in the title (PNG).</summary>
public static class RankCheckPlot
{
    public static void Write(string path, IReadOnlyList<RankCheckRow> rows, RankCheckResult result)
    {
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(rows.Select(r => r.StandAloneAccuracy * 100).ToArray(), rows.Select(r => r.SupernetAccuracy * 100).ToArray());
        points.MarkerSize = 8;
        plot.Title($"SPOS rank check: Kendall tau {result.KendallTau:0.00} over {result.Architectures} architectures");
        plot.XLabel("stand-alone validation accuracy (%)");
        plot.YLabel("supernet accuracy, inherited weights (%)");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, 640, 520);
    }
}

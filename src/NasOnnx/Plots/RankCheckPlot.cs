using System.Globalization;
using ScottPlot;
using NasOnnx.Artifacts;

namespace NasOnnx.Plots;

/// <summary>Supernet accuracy against stand-alone accuracy, one point per architecture, Kendall tau in the title (PNG).</summary>
/// <remarks>
/// The axes fit the architectures that learned: one cell at chance level (10%) next to a cluster at 86-91% would
/// squeeze the cluster, whose order is the point of the check, into a corner. Cells at chance level are named in the
/// title instead of drawn.
/// </remarks>
public static class RankCheckPlot
{
    public static void Write(string path, IReadOnlyList<RankCheckRow> rows, RankCheckResult result, double chanceThreshold)
    {
        // zoom only when the cells that learned have a tau of their own (SposRankCheck.Summarize decides)
        var shown = result.AtChanceLevel > 0 && result.KendallTauAboveChance is not null
            ? rows.Where(r => r.StandAloneAccuracy >= chanceThreshold).ToList()
            : rows.ToList();
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(shown.Select(r => r.StandAloneAccuracy * 100).ToArray(), shown.Select(r => r.SupernetAccuracy * 100).ToArray());
        points.MarkerSize = 8;

        string title = $"SPOS rank check: Kendall tau {result.KendallTau:0.00} over {result.Architectures} architectures";
        if (shown.Count < rows.Count)
        {
            var hidden = rows.Except(shown).ToList();
            string which = hidden.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"1 at chance level (stand-alone {hidden[0].StandAloneAccuracy * 100:0.#}%, supernet {hidden[0].SupernetAccuracy * 100:0.#}%)")
                : $"{hidden.Count} at chance level";
            title += $"\n{result.KendallTauAboveChance:0.00} over the {shown.Count} that learned\nnot drawn: {which}";
        }
        plot.Title(title, size: 14);
        plot.XLabel("stand-alone validation accuracy (%)");
        plot.YLabel("supernet accuracy, inherited weights (%)");
        Fit(plot, shown);
        PlotFile.SavePng(plot, path, 640, 560);
    }

    /// <summary>Axis limits around the drawn points, with a margin so that no marker sits on the frame.</summary>
    private static void Fit(Plot plot, IReadOnlyList<RankCheckRow> shown)
    {
        static (double Lo, double Hi) Range(IEnumerable<double> values)
        {
            double lo = values.Min() * 100, hi = values.Max() * 100, pad = Math.Max(0.5, 0.08 * (hi - lo));
            return (lo - pad, hi + pad);
        }
        var (x0, x1) = Range(shown.Select(r => r.StandAloneAccuracy));
        var (y0, y1) = Range(shown.Select(r => r.SupernetAccuracy));
        plot.Axes.SetLimits(x0, x1, y0, y1);
    }
}

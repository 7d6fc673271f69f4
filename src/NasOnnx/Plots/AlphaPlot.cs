using System.Globalization;
using System.Text;

namespace NasOnnx.Plots;

/// <summary>
/// alphas.svg: per alpha group, the mean softmax weight of each op over the group's edges, epoch by epoch (a line per
/// op). Skip-connect creeping up in the normal cell is DARTS' collapse, visible at a glance.
/// </summary>
public static class AlphaPlot
{
    /// <summary>One alpha group: its name, its ops, and per epoch the mean softmax weight of each op over the group's rows.</summary>
    public sealed record Series(string Group, IReadOnlyList<string> Choices, IReadOnlyList<double[]> MeanWeightPerEpoch);

    private static readonly string[] Colors = ["#999999", "#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    public static string Svg(IReadOnlyList<Series> groups)
    {
        const int w = 360, h = 220, pad = 40;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w * groups.Count}\" height=\"{h + 20 * 10}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            int x0 = gi * w;
            var mean = g.MeanWeightPerEpoch;
            double ymax = Math.Max(1e-9, mean.SelectMany(m => m).DefaultIfEmpty(1).Max());
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + pad}\" y=\"14\">{g.Group}: mean op weight per epoch</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0 + pad}\" y=\"20\" width=\"{w - 2 * pad}\" height=\"{h - 40}\" fill=\"none\" stroke=\"#ccc\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + 2}\" y=\"26\">{ymax:0.00}</text><text x=\"{x0 + 2}\" y=\"{h - 20}\">0</text>\n");
            for (int o = 0; o < g.Choices.Count; o++)
            {
                var pts = mean.Select((m, e) => (X: x0 + pad + (mean.Count == 1 ? 0 : (double)e / (mean.Count - 1)) * (w - 2 * pad), Y: h - 20 - m[o] / ymax * (h - 40)));
                string color = Colors[o % Colors.Length];
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(" ", pts.Select(p => $"{p.X:0.0},{p.Y:0.0}"))}\"/>\n");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + pad}\" y=\"{h + 14 * o}\" fill=\"{color}\">{System.Security.SecurityElement.Escape(g.Choices[o])}</text>\n");
            }
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}

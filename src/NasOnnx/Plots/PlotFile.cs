using NasOnnx.Core;
using ScottPlot;

namespace NasOnnx.Plots;

/// <summary>How the plot writers save their PNGs, in one place.</summary>
internal static class PlotFile
{
    /// <summary>Writes the plot as PNG atomically, so a killed stage never leaves half an image among its outputs.</summary>
    public static void WritePng(Plot plot, string path, int width, int height) => AtomicWrite.Bytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));

    /// <summary>Saves the plot as PNG with ScottPlot directly, creating the folder first (figures outside a stage's outputs).</summary>
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, width, height);
    }
}

using System.Globalization;
using NasOnnx.Core;

namespace NasOnnx.Artifacts;

/// <summary>
/// metrics.csv of an evaluate stage: one row of accuracy, mean loss and the number of images. The evaluation writes
/// it; the export stage (accuracy into the model's metadata), run folders and model cards read it back.
/// </summary>
public sealed record MetricsFile(double Accuracy, double Loss, long Images)
{
    public const string FileName = "metrics.csv";

    /// <summary>Writes &lt;dir&gt;/metrics.csv, accuracy and loss rounded to 6 decimals.</summary>
    public void Write(string dir) => Csv.Write(Path.Combine(dir, FileName), [this with { Accuracy = Math.Round(Accuracy, 6), Loss = Math.Round(Loss, 6) }]);

    /// <summary>Reads &lt;dir&gt;/metrics.csv; the caller checks that it exists.</summary>
    public static MetricsFile Read(string dir)
    {
        string path = Path.Combine(dir, FileName);
        var (header, rows) = Csv.ReadTable(path);
        int accuracy = Column(header, "accuracy"), loss = Column(header, "loss"), images = Column(header, "images");
        if (accuracy < 0 || images < 0 || rows.Count == 0)
            throw new NasOnnxException($"{FileName} lacks the accuracy or images column", "re-run the evaluate stage with --force") { FilePath = path };
        var row = rows[0];
        return new MetricsFile(double.Parse(row[accuracy], CultureInfo.InvariantCulture),
            // older files had no loss column; nothing reads it back yet
            loss < 0 ? double.NaN : double.Parse(row[loss], CultureInfo.InvariantCulture),
            long.Parse(row[images], CultureInfo.InvariantCulture));
    }

    private static int Column(IReadOnlyList<string> header, string name) => header.ToList().IndexOf(name);
}

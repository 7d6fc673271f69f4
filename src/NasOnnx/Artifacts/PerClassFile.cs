using System.Globalization;
using NasOnnx.Core;

namespace NasOnnx.Artifacts;

/// <summary>per_class.csv of an evaluate stage: per class its index, name, number of images and accuracy.</summary>
public static class PerClassFile
{
    public const string FileName = "per_class.csv";

    /// <summary>Writes &lt;dir&gt;/per_class.csv, accuracies rounded to 6 decimals.</summary>
    public static void Write(string dir, IEnumerable<ClassAccuracy> rows) =>
        Csv.Write(Path.Combine(dir, FileName), rows.Select(r => r with { Accuracy = Math.Round(r.Accuracy, 6) }));

    /// <summary>The rows of &lt;dir&gt;/per_class.csv (class,name,images,accuracy; a name may be quoted and hold commas); none without the file.</summary>
    public static IReadOnlyList<ClassAccuracy> Read(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return [];
        return Csv.ReadTable(path).Rows.Select(r => new ClassAccuracy(int.Parse(r[0], CultureInfo.InvariantCulture), r[1],
            long.Parse(r[2], CultureInfo.InvariantCulture), double.Parse(r[3], CultureInfo.InvariantCulture))).ToList();
    }
}

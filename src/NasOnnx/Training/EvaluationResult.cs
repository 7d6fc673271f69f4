using System.Globalization;
using NasOnnx.Artifacts;
using NasOnnx.Core;

namespace NasOnnx.Training;

/// <summary>Accuracy, mean loss and the confusion matrix (rows: true class, columns: predicted class).</summary>
public sealed class EvaluationResult(int classes)
{
    public long[,] Confusion { get; } = new long[classes, classes];
    public int Classes => classes;
    public double LossSum { get; private set; }
    public long Count { get; private set; }

    public double Loss => Count == 0 ? 0 : LossSum / Count;
    public double Accuracy => Count == 0 ? 0 : (double)Enumerable.Range(0, classes).Sum(c => Confusion[c, c]) / Count;

    public void Add(ReadOnlySpan<long> labels, ReadOnlySpan<long> predictions, double lossSum)
    {
        for (int i = 0; i < labels.Length; i++) Confusion[labels[i], predictions[i]]++;
        Count += labels.Length;
        LossSum += lossSum;
    }

    public double AccuracyOf(int c)
    {
        long total = 0;
        for (int p = 0; p < classes; p++) total += Confusion[c, p];
        return total == 0 ? 0 : (double)Confusion[c, c] / total;
    }

    /// <summary>Writes metrics.csv (accuracy, loss, count), per_class.csv and confusion.csv into a folder.</summary>
    public void WriteCsv(string dir, IReadOnlyList<string> classNames)
    {
        var names = Enumerable.Range(0, classes).Select(c => c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture)).ToList();
        new MetricsFile(Accuracy, Loss, Count).Write(dir);
        PerClassFile.Write(dir, Enumerable.Range(0, classes).Select(c => new ClassAccuracy(c, names[c], Enumerable.Range(0, classes).Sum(p => Confusion[c, p]), AccuracyOf(c))));
        Csv.WriteTable(Path.Combine(dir, "confusion.csv"), ["true\\predicted", .. names],
            Enumerable.Range(0, classes).Select(t => (IReadOnlyList<string>)[names[t], .. Enumerable.Range(0, classes).Select(p => Confusion[t, p].ToString(CultureInfo.InvariantCulture))]));
    }
}

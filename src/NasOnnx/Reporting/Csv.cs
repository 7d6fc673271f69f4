using System.Globalization;
using CsvHelper;
using NasOnnx.Pipeline;

namespace NasOnnx.Reporting;

/// <summary>CSV files through CsvHelper, invariant culture, written atomically.</summary>
public static class Csv
{
    private static readonly CsvWriterOptions Options = new() { FormatProvider = CultureInfo.InvariantCulture };

    public static void Write<T>(string path, IEnumerable<T> rows) => AtomicWrite.Stream(path, stream =>
    {
        using var csv = CsvWriter.Create(stream, Options, true);
        csv.WriteRecords(rows);
    });

    /// <summary>Writes a header and rows of already formatted fields.</summary>
    public static void WriteTable(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) => AtomicWrite.Stream(path, stream =>
    {
        using var csv = CsvWriter.Create(stream, Options, true);
        csv.WriteRecord(header.ToArray());
        foreach (var row in rows) csv.WriteRecord(row.ToArray());
    });

    public static string Format(double value) => value.ToString("G9", CultureInfo.InvariantCulture);
}

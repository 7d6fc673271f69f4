using System.Globalization;
using CsvHelper;

namespace NasOnnx.Core;

/// <summary>CSV files through CsvHelper, invariant culture, written atomically and read back as text.</summary>
public static class Csv
{
    private static readonly CsvWriterOptions Options = new() { FormatProvider = CultureInfo.InvariantCulture };

    /// <summary>
    /// Writes one row per item with a column per public property, in declaration order (records and
    /// anonymous types alike; CsvHelper 34 needs generated writers for typed records, so we map here).
    /// </summary>
    public static void Write<T>(string path, IEnumerable<T> rows)
    {
        var props = typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        WriteTable(path, props.Select(p => ToSnakeCase(p.Name)).ToList(),
            rows.Select(r => (IReadOnlyList<string>)props.Select(p => FormatValue(p.GetValue(r))).ToList()));
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "",
        double d => Format(d),
        float f => Format(f),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>TrainLoss -> train_loss; names already in snake case are kept.</summary>
    public static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>Writes a header and rows of already formatted fields.</summary>
    public static void WriteTable(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) => AtomicWrite.Stream(path, stream =>
    {
        using var csv = CsvWriter.Create(stream, Options, true);
        csv.WriteRecord(header.ToArray());
        foreach (var row in rows) csv.WriteRecord(row.ToArray());
    });

    /// <summary>
    /// The header and the rows of a CSV file as text, quotes resolved (a quoted field may hold commas); empty lines are
    /// passed over. A file without rows gives an empty header and no rows.
    /// </summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) ReadTable(string path)
    {
        using var stream = File.OpenRead(path);
        using var csv = CsvReader.Create(stream, null, false);
        var rows = new List<IReadOnlyList<string>>();
        while (csv.Read())
            rows.Add(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToList());
        return (csv.Headers.ToList(), rows);
    }

    public static string Format(double value) => value.ToString("G9", CultureInfo.InvariantCulture);
}

using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsvHelper;

namespace NasOnnx.Data;

/// <summary>The kinds of text table prepare-data reads.</summary>
public enum TextTableFormat
{
    /// <summary>Comma-separated, RFC 4180 quoting, a header line.</summary>
    Csv,
    /// <summary>Tab-separated, otherwise as CSV.</summary>
    Tsv,
    /// <summary>One JSON object per line.</summary>
    Jsonl,
}

/// <summary>
/// Reads a user's labelled texts from a CSV, TSV or JSONL file: one row per text, a text column and a label column
/// (named by the caller). Files must be UTF-8 (a byte order mark is allowed); every problem (a missing file or column, an
/// empty file, bytes that are not UTF-8, malformed CSV or JSON, an empty text or label) stops with one
/// <see cref="NasOnnxException"/> naming the file, the line and what to do.
/// </summary>
public static class TextTableReader
{
    public const string DefaultTextColumn = "text";
    public const string DefaultLabelColumn = "label";

    /// <summary>The format of <paramref name="path"/>: <paramref name="given"/> (csv, tsv, jsonl), or by its ending when given is auto or null.</summary>
    public static TextTableFormat FormatOf(string path, string? given = null)
    {
        switch (given?.ToLowerInvariant())
        {
            case "csv": return TextTableFormat.Csv;
            case "tsv": return TextTableFormat.Tsv;
            case "jsonl": return TextTableFormat.Jsonl;
            case null or "" or "auto": break;
            default: throw new NasOnnxException($"unknown text_format '{given}'", "use auto, csv, tsv or jsonl");
        }
        return FromEnding(path) ?? throw new NasOnnxException(
            $"cannot tell the format of {path} from its name (expected .csv, .tsv, .tab, .jsonl or .ndjson)",
            "rename the file, or set `text_format: csv` (or tsv, jsonl) in the stage's params") { FilePath = path };
    }

    private static TextTableFormat? FromEnding(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => TextTableFormat.Csv,
        ".tsv" or ".tab" => TextTableFormat.Tsv,
        ".jsonl" or ".ndjson" => TextTableFormat.Jsonl,
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="path"/> is a text table with the given text column (and no image manifest's "path"
    /// column): a file with a known ending whose first line names the column. Reads the first line only.
    /// </summary>
    public static bool LooksLikeTextTable(string path, string textColumn)
    {
        if (!File.Exists(path) || FromEnding(path) is not { } format) return false;
        string? first;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            first = reader.ReadLine();
        }
        catch (IOException)
        {
            return false;
        }
        if (first is null) return false;
        if (format == TextTableFormat.Jsonl)
        {
            try
            {
                using var doc = JsonDocument.Parse(first);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(textColumn, out _)
                    && !doc.RootElement.TryGetProperty("path", out _);
            }
            catch (JsonException)
            {
                return false;
            }
        }
        var names = first.Split(format == TextTableFormat.Tsv ? '\t' : ',').Select(n => n.Trim().Trim('"').Trim()).ToList();
        return names.Contains(textColumn, StringComparer.OrdinalIgnoreCase) && !names.Contains("path", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every row of the file, in file order.</summary>
    public static IReadOnlyList<TextExample> Read(string path, TextTableFormat format, string textColumn = DefaultTextColumn, string labelColumn = DefaultLabelColumn)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new NasOnnxException($"the text table {full} does not exist", "fix `path:` (or `test_path:`) in the pipeline file") { FilePath = full };
        try
        {
            if (IsBlank(full))
                throw new NasOnnxException($"the text table {full} is empty",
                    $"write a header line naming the columns ({textColumn}, {labelColumn}) and one row per text") { FilePath = full };
            CheckUtf8(full);
            var rows = format == TextTableFormat.Jsonl ? ReadJsonLines(full, textColumn, labelColumn) : ReadDelimited(full, format, textColumn, labelColumn);
            if (rows.Count == 0)
                throw new NasOnnxException($"the text table {full} has no rows", "add one row per text below the header") { FilePath = full };
            return rows;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"the text table {full} cannot be read: {e.Message}", "check the file and its permissions") { FilePath = full };
        }
    }

    private static bool IsBlank(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[4096];
        int n;
        bool first = true;
        while ((n = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, n);
            if (first && span.StartsWith("\uFEFF"u8)) span = span[3..];
            first = false;
            foreach (byte b in span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }

    /// <summary>Stops at the first bytes that are not UTF-8, naming their line and offset.</summary>
    private static void CheckUtf8(string path)
    {
        using var stream = File.OpenRead(path);
        var bytes = new byte[1 << 20];
        var chars = new char[bytes.Length];
        int carry = 0;
        long offset = 0, line = 1;
        while (true)
        {
            int read = stream.Read(bytes, carry, bytes.Length - carry);
            int length = carry + read;
            bool final = read == 0;
            var status = Utf8.ToUtf16(bytes.AsSpan(0, length), chars, out int used, out _, replaceInvalidSequences: false, isFinalBlock: final);
            line += bytes.AsSpan(0, used).Count((byte)'\n');
            if (status == System.Buffers.OperationStatus.InvalidData)
                throw new NasOnnxException(
                    $"the text table {path} is not UTF-8: the bytes at line {line} (byte {offset + used}) are not valid UTF-8",
                    "save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 FILE > FILE.utf8)") { FilePath = path };
            offset += used;
            carry = length - used;
            bytes.AsSpan(used, carry).CopyTo(bytes);
            if (final) return;
        }
    }

    private static List<TextExample> ReadDelimited(string path, TextTableFormat format, string textColumn, string labelColumn)
    {
        var options = new CsvReaderOptions
        {
            Separator = format == TextTableFormat.Tsv ? '\t' : ',',
            HasHeader = true,
            TrackLineNumbers = true,
            DetectSeparatorHint = false,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
        };
        string kind = format == TextTableFormat.Tsv ? "TSV" : "CSV";
        var rows = new List<TextExample>();
        try
        {
            using var csv = CsvReader.Create(File.OpenRead(path), options, false);
            csv.ReadHeader();
            int text = Column(csv, path, textColumn, "text_column");
            int label = Column(csv, path, labelColumn, "label_column");
            while (csv.Read())
            {
                long line = csv.LineNumber;
                string value = csv.GetString(text);
                string name = csv.GetString(label).Trim();
                rows.Add(Checked(path, line, value, name));
            }
        }
        catch (CsvFormatException e)
        {
            throw new NasOnnxException($"the text table {path} is not valid {kind} at line {e.LineNumber}: {e.Message}",
                $"quote fields that hold the separator, quotes or line breaks (RFC 4180: \"a \"\"quoted\"\" text\"), and give every row as many fields as the header") { FilePath = path };
        }
        return rows;
    }

    private static int Column(CsvReader csv, string path, string name, string param)
    {
        if (csv.TryGetFieldIndex(name, out int index)) return index;
        string columns = csv.Headers.Count == 0 ? "none" : string.Join(", ", csv.Headers.Select(h => $"\"{h}\""));
        throw new NasOnnxException($"the text table {path} has no column \"{name}\" (its header line names {columns})",
            $"name the column with `{param}:` in the stage's params, or rename it in the header line") { FilePath = path };
    }

    private static List<TextExample> ReadJsonLines(string path, string textColumn, string labelColumn)
    {
        var rows = new List<TextExample>();
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        long line = 0;
        while (reader.ReadLine() is { } content)
        {
            line++;
            if (string.IsNullOrWhiteSpace(content)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(content);
            }
            catch (JsonException e)
            {
                throw new NasOnnxException($"the text table {path} line {line} is not valid JSON: {e.Message}",
                    "write one JSON object per line, e.g. {\"text\": \"great film\", \"label\": \"pos\"}") { FilePath = path };
            }
            using (doc)
            {
                try
                {
                    rows.Add(JsonRow(doc.RootElement, path, line, textColumn, labelColumn));
                }
                catch (InvalidOperationException e)
                {
                    throw new NasOnnxException($"the text table {path} line {line} holds a string that is not valid text: {e.Message}",
                        "remove the broken \\u escape (a lone surrogate) from the line") { FilePath = path };
                }
            }
        }
        return rows;
    }

    private static TextExample JsonRow(JsonElement root, string path, long line, string textColumn, string labelColumn)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new NasOnnxException($"the text table {path} line {line} is not a JSON object", "write one JSON object per line") { FilePath = path };
        string text = root.TryGetProperty(textColumn, out var t)
            ? t.ValueKind == JsonValueKind.String ? t.GetString()! : throw new NasOnnxException(
                $"the text table {path} line {line}: \"{textColumn}\" is not a string", "write the text as a JSON string") { FilePath = path }
            : throw MissingField(path, line, textColumn, "text_column");
        string label = root.TryGetProperty(labelColumn, out var l)
            ? l.ValueKind switch
            {
                JsonValueKind.String => l.GetString()!.Trim(),
                JsonValueKind.Number => l.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw new NasOnnxException($"the text table {path} line {line}: \"{labelColumn}\" is {l.ValueKind.ToString().ToLowerInvariant()}, not a string or number",
                    "write each label as a string or a number") { FilePath = path },
            }
            : throw MissingField(path, line, labelColumn, "label_column");
        return Checked(path, line, text, label);
    }

    private static NasOnnxException MissingField(string path, long line, string name, string param) =>
        new($"the text table {path} line {line} has no field \"{name}\"",
            $"give every line a \"{name}\" field, or name the field with `{param}:` in the stage's params") { FilePath = path };

    private static TextExample Checked(string path, long line, string text, string label)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new NasOnnxException($"the text table {path} line {line}: the text is empty", "fill in the text or delete the row") { FilePath = path };
        if (label.Length == 0)
            throw new NasOnnxException($"the text table {path} line {line}: the label is empty", "fill in the label or delete the row") { FilePath = path };
        return new TextExample(text, label, path, line);
    }
}

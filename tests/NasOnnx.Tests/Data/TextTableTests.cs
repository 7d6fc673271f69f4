using System.Text;
using NasOnnx.Artifacts;
using NasOnnx.Data;
using NasOnnx.Pipeline;
using NasOnnx.Tests.Pipeline;

namespace NasOnnx.Tests.Data;

/// <summary>Users' text tables (CSV, TSV, JSONL) through the reader and through prepare-data in the pipeline runner; generated toy text only.</summary>
public class TextTableTests : IDisposable
{
    private readonly NasOnnx.Tests.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Toy reviews: class words plus shared filler, deterministic.</summary>
    public static IEnumerable<(string Text, string Label)> ToyRows(int perClass, int seed = 1)
    {
        string[] good = ["great", "wonderful", "loved", "superb", "fun"], bad = ["awful", "boring", "hated", "dull", "mess"], filler = ["the", "film", "plot", "actor", "scene", "was", "and"];
        var rng = new Random(seed);
        for (int i = 0; i < perClass * 2; i++)
        {
            bool pos = i % 2 == 0;
            var words = Enumerable.Range(0, 4 + rng.Next(8)).Select(_ => rng.Next(3) == 0 ? (pos ? good : bad)[rng.Next(5)] : filler[rng.Next(filler.Length)]);
            yield return (string.Join(' ', words) + (pos ? "!" : "."), pos ? "pos" : "neg");
        }
    }

    private string WriteCsv(string relative, IEnumerable<(string Text, string Label)> rows, string separator = ",")
    {
        var sb = new StringBuilder($"label{separator}text\n");
        foreach (var (text, label) in rows) sb.Append(label).Append(separator).Append('"').Append(text.Replace("\"", "\"\"")).Append("\"\n");
        return _dir.Write(relative, sb.ToString());
    }

    private string Pipeline(string parameters) => _dir.Write("pipeline/text.yaml", $$"""
        name: text
        seed: 11
        defaults: { threads: 1 }
        stages:
          - name: data
            kind: prepare-data
            params: { {{parameters}} }
        """);

    private static RunResult Run(string file)
    {
        var registry = StageCatalog.CreateRegistry();
        return new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
    }

    private PreparedDataset Prepared => PreparedDataset.Load(_dir["runs/text/data"]);

    [Fact]
    public void Train_and_test_files_are_tokenized_into_caches_and_load_as_text_datasets()
    {
        WriteCsv("data/train.csv", [.. ToyRows(30), ("a \"quoted\" text, with a comma\nand a line break", "pos")]);
        WriteCsv("data/test.csv", ToyRows(5, seed: 2));
        var result = Run(Pipeline("path: data/train.csv, test_path: data/test.csv, format: text-table, max_length: 8, validation_fraction: 0.2"));
        Assert.Equal(StageOutcome.Ran, result.Stages[0].Outcome);

        var p = Prepared;
        Assert.True(p.IsText);
        Assert.Equal(PreparedDataset.TextFormat, p.Format);
        Assert.Equal(TextCorpus.GivenSplit, p.Split);
        Assert.Equal(["neg", "pos"], p.ClassNames);
        Assert.Equal((1, 1, 8), (p.Channels, p.Height, p.Width));
        Assert.Equal(8, p.SequenceLength);
        Assert.Equal([0f], p.Mean);
        Assert.Equal([1f], p.Std);
        Assert.Equal((61, 10), (p.TrainCount, p.TestCount));
        Assert.Equal(["test.tokens", "train.tokens", "vocab.json"], p.FileHashes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, p.SourceHashes!.Count);
        Assert.Null(p.SourceVerified);

        var vocabulary = p.LoadVocabulary();
        Assert.Equal(p.VocabularySize, vocabulary.Count);
        Assert.Equal(p.FileHashes["vocab.json"], vocabulary.Sha256);
        Assert.Equal(8, vocabulary.MaxLength);

        var data = p.LoadData();
        Assert.True(data.TrainImages.IsText);
        Assert.Equal(8, data.TrainImages.SequenceLength);
        Assert.Equal(61, data.TrainImages.Count);
        Assert.Equal(12, data.ValidationIndices.Length);
        Assert.Equal([5, 5], data.Test.ClassCounts());
        Assert.Equal([30, 31], data.TrainImages.ClassCounts());
        // The multi-line quoted row is the last training row: "a quoted text , with a comma and a ..." (8 tokens kept).
        var last = data.TrainImages.Sequence(60).ToArray();
        Assert.Equal(vocabulary.Encode("a \"quoted\" text, with a comma\nand a line break"), last);
        Assert.Equal(1, data.TrainImages.Labels[60]);
        Assert.Equal("split,class,name,texts", File.ReadAllLines(_dir["runs/text/data/summary.csv"])[0]);

        // Unchanged files: skipped; a changed file: re-run.
        Assert.Equal(StageOutcome.Skipped, Run(_dir["pipeline/text.yaml"]).Stages[0].Outcome);
        File.AppendAllText(_dir["data/test.csv"], "pos,\"one more great one\"\n");
        Assert.Equal(StageOutcome.Ran, Run(_dir["pipeline/text.yaml"]).Stages[0].Outcome);
        Assert.Equal(11, Prepared.TestCount);
    }

    [Fact]
    public void One_file_is_split_seeded_and_stratified_and_format_auto_recognises_a_text_table()
    {
        WriteCsv("data/reviews.csv", ToyRows(40));
        Run(Pipeline("path: data/reviews.csv, test_fraction: 0.25"));
        var p = Prepared;
        Assert.Equal(TextCorpus.SeededSplit, p.Split);
        Assert.Equal((60, 20), (p.TrainCount, p.TestCount));
        var data = p.LoadData();
        Assert.Equal([10, 10], data.Test.ClassCounts());
        Assert.Equal("reviews", p.Name);
        string firstRun = File.ReadAllText(_dir["runs/text/data/dataset.json"]);
        byte[] cache = File.ReadAllBytes(_dir["runs/text/data/train.tokens"]);

        // Same seed, same files: the same bytes.
        Directory.Delete(_dir["runs"], recursive: true);
        Run(_dir["pipeline/text.yaml"]);
        Assert.Equal(firstRun, File.ReadAllText(_dir["runs/text/data/dataset.json"]));
        Assert.Equal(cache, File.ReadAllBytes(_dir["runs/text/data/train.tokens"]));
    }

    [Fact]
    public void Tsv_and_jsonl_files_are_read_with_their_columns()
    {
        string tsv = WriteCsv("t.tsv", [("first text", "b"), ("second, with comma", "a")], separator: "\t");
        var rows = TextTableReader.Read(tsv, TextTableReader.FormatOf(tsv));
        Assert.Equal(["first text", "second, with comma"], rows.Select(r => r.Text));
        Assert.Equal(["b", "a"], rows.Select(r => r.Label));
        Assert.Equal([2L, 3L], rows.Select(r => r.Line));

        string jsonl = _dir.Write("t.jsonl", "{\"review\": \"good \\\"one\\\"\", \"stars\": 5}\n\n{\"review\": \"bad\", \"stars\": 1, \"extra\": [1]}\n");
        Assert.Equal(TextTableFormat.Jsonl, TextTableReader.FormatOf(jsonl));
        rows = TextTableReader.Read(jsonl, TextTableFormat.Jsonl, "review", "stars");
        Assert.Equal(["good \"one\"", "bad"], rows.Select(r => r.Text));
        Assert.Equal(["5", "1"], rows.Select(r => r.Label));
        Assert.Equal([1L, 3L], rows.Select(r => r.Line));

        string txt = _dir.Write("t.txt", "label,text\na,b\n");
        Assert.Contains("text_format", Assert.Throws<NasOnnxException>(() => TextTableReader.FormatOf(txt)).Fix);
        Assert.Equal(TextTableFormat.Csv, TextTableReader.FormatOf(txt, "csv"));
    }

    public static TheoryData<string, string, string, string> BadTables => new()
    {
        // file name, content, expected in the message, expected in the fix
        { "empty.csv", "", "is empty", "header line" },
        { "blank.jsonl", "\n  \n", "is empty", "header line" },
        { "header.csv", "text,label\n", "has no rows", "one row per text" },
        { "nocolumn.csv", "review,label\ngood,pos\n", "no column \"text\"", "text_column" },
        { "nolabel.csv", "text,class\ngood,pos\n", "no column \"label\"", "label_column" },
        { "emptytext.csv", "text,label\ngood,pos\n\"  \",neg\n", "line 3: the text is empty", "delete the row" },
        { "emptylabel.tsv", "text\tlabel\ngood\tpos\nbad\t\n", "line 3: the label is empty", "fill in the label" },
        { "quote.csv", "text,label\ngood,pos\n\"unclosed,neg\n", "not valid CSV", "RFC 4180" },
        { "fields.csv", "text,label\ngood,pos\nbad,neg,extra\n", "not valid CSV at line 3", "as many fields" },
        { "json.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \n", "line 2 is not valid JSON", "one JSON object per line" },
        { "field.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"label\": \"y\"}\n", "line 2 has no field \"text\"", "text_column" },
        { "array.jsonl", "[1, 2]\n", "line 1 is not a JSON object", "one JSON object" },
        { "labeltype.jsonl", "{\"text\": \"a\", \"label\": null}\n", "\"label\" is null", "string or a number" },
    };

    [Theory]
    [MemberData(nameof(BadTables))]
    public void A_bad_table_stops_with_the_file_line_and_what_to_do(string name, string content, string message, string fix)
    {
        string path = _dir.Write(name, content);
        var e = Assert.Throws<NasOnnxException>(() => TextTableReader.Read(path, TextTableReader.FormatOf(path)));
        Assert.Contains(message, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(fix, e.Fix);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_with_their_line()
    {
        byte[] bytes = [.. "text,label\ngood,pos\n"u8, .. "caf"u8, 0xE9, .. ",neg\n"u8];
        string path = _dir["latin1.csv"];
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<NasOnnxException>(() => TextTableReader.Read(path, TextTableFormat.Csv));
        Assert.Contains("not UTF-8", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("byte 23", e.Message);
        Assert.Contains("iconv", e.Fix);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "text,label\ncafé,pos\nbad,neg\n"u8]);
        Assert.Equal("café", TextTableReader.Read(path, TextTableFormat.Csv)[0].Text);
    }

    [Fact]
    public void A_test_label_unknown_to_training_a_single_class_and_too_few_rows_are_refused()
    {
        string train = WriteCsv("train.csv", ToyRows(3));
        string test = WriteCsv("test.csv", [("fine", "pos"), ("so so", "meh")]);
        var trainRows = TextTableReader.Read(train, TextTableFormat.Csv);
        var hashes = new Dictionary<string, string>();
        var e = Assert.Throws<NasOnnxException>(() => TextCorpus.FromTables("t", trainRows, TextTableReader.Read(test, TextTableFormat.Csv), 0.2, 1, hashes));
        Assert.Contains($"{test} line 3 has the label \"meh\", which no training row has (training labels: neg, pos)", e.Message);
        Assert.Equal(test, e.FilePath);

        string single = WriteCsv("single.csv", [("one", "pos"), ("two", "pos")]);
        e = Assert.Throws<NasOnnxException>(() => TextCorpus.FromTables("t", TextTableReader.Read(single, TextTableFormat.Csv), null, 0.5, 1, hashes));
        Assert.Contains("a single label, \"pos\"", e.Message);

        e = Assert.Throws<NasOnnxException>(() => TextCorpus.FromTables("t", trainRows, null, 0.0, 1, hashes));
        Assert.Contains("no test rows", e.Message);
        Assert.Contains("test_path", e.Fix);
    }

    [Fact]
    public void Errors_in_the_stage_name_the_stage_and_params_are_checked_before_running()
    {
        _dir.Write("data/bad.csv", "text,label\ngood,pos\n,neg\n");
        var e = Assert.Throws<NasOnnxException>(() => Run(Pipeline("path: data/bad.csv, format: text-table")));
        Assert.Equal("data", e.Stage);
        Assert.Contains("line 3: the text is empty", e.Message);

        WriteCsv("data/ok.csv", ToyRows(3));
        e = Assert.Throws<NasOnnxException>(() => Run(Pipeline("path: data/ok.csv, vocabulary_size: 2")));
        Assert.Contains("vocabulary_size must be at least 3", e.Message);
        e = Assert.Throws<NasOnnxException>(() => Run(Pipeline("path: data/ok.csv, max_length: 0")));
        Assert.Contains("max_length must be at least 1", e.Message);
        e = Assert.Throws<NasOnnxException>(() => Run(Pipeline("format: text-table")));
        Assert.Contains("needs `path:`", e.Message);
    }
}

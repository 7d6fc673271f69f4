using NasOnnx.Artifacts;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NasOnnx.Pipeline;
using NasOnnx.Core;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// Compares a run folder with a reference run of the same pipeline in the same project. Most outputs are
/// byte-identical between two runs (data, search log, architectures, weights, ONNX, plots); a few record
/// how long something took or what was measured (search.json "seconds", trial_timing.csv's times and host, epochs.csv timing and memory columns,
/// export.json "export_seconds", the benchmark's latencies and load, the report's tables of those). Those
/// are compared with the measured fields removed, so everything else in them must still be equal.
/// </summary>
public static partial class RunFolderCompare
{
    /// <summary>Names of fields and CSV columns that hold a measurement of this machine at that moment.</summary>
    [GeneratedRegex(@"(^|_)(seconds|s|ms|host|load\d*|load_before|load_after|measured_at|images_per_second|data_wait_fraction|rss_mb|managed_mb|completed)$")]
    private static partial Regex Measured();

    /// <summary>Numbers and long hex hashes (the report's tables quote timings and the hashes of timed files).</summary>
    [GeneratedRegex(@"[0-9a-f]{12,}|\d+([.,]\d+)*(E[-+]?\d+)?")]
    private static partial Regex NumbersAndHashes();

    [GeneratedRegex(@"ran \([^)]*\)|skipped \(up to date\)|taken as is \([^)]*\)")]
    private static partial Regex ThisRunCell();

    [GeneratedRegex(@"[^|<>]*\.\.\.")]
    private static partial Regex TruncatedCell();

    /// <summary>Files whose bytes include measurements (relative to the run folder).</summary>
    public static bool HasMeasurements(string relative) =>
        relative is "search/search.json" or "retrain/epochs.csv" or "export/export.json" or "search/trial_timing.csv"
        || relative.StartsWith("benchmark/", StringComparison.Ordinal)
        || relative.StartsWith("report/", StringComparison.Ordinal) && !relative.StartsWith("report/figures/", StringComparison.Ordinal);

    /// <summary>The content to compare: the bytes' hash, or for measured files the content without the measurements.</summary>
    public static string Comparable(string runDir, string file, string relative)
    {
        if (!HasMeasurements(relative)) return ContentHash.OfFile(file);
        string text = File.ReadAllText(file);
        // The report names the run folder, which differs between the reference and the run compared.
        // Its table cells cut long values at a fixed length, so where a cut falls depends on the measured numbers' lengths.
        // It also says what this run did with each stage (ran, skipped), which after a resume differs by design.
        if (relative.StartsWith("report/", StringComparison.Ordinal))
            return TruncatedCell().Replace(NumbersAndHashes().Replace(ThisRunCell().Replace(text.Replace(runDir, "<run folder>"), "<this run>"), "#"), "...");
        if (file.EndsWith(".json", StringComparison.Ordinal)) return Strip(JsonNode.Parse(text))?.ToJsonString() ?? "null";
        if (file.EndsWith(".csv", StringComparison.Ordinal)) return StripColumns(text);
        return text;
    }

    private static JsonNode? Strip(JsonNode? node)
    {
        if (node is JsonObject o)
            foreach (var (name, value) in o.ToList())
            {
                if (Measured().IsMatch(name)) o.Remove(name);
                else Strip(value);
            }
        if (node is JsonArray a) foreach (var item in a) Strip(item);
        return node;
    }

    private static string StripColumns(string csv)
    {
        var lines = csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !Measured().IsMatch(header[i])).ToArray();
        return string.Join("\n", lines.Select(l => { var c = l.Split(','); return string.Join(",", keep.Select(i => i < c.Length ? c[i] : "<missing>")); }));
    }

    /// <summary>relative path -> comparable content, for every file of a published stage folder.</summary>
    public static SortedDictionary<string, string> StageFolder(string runDir, string stage)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string dir = Path.Combine(runDir, stage);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(runDir, file).Replace('\\', '/');
            result[relative] = Comparable(runDir, file, relative);
        }
        return result;
    }

    /// <summary>Asserts that a published stage folder holds exactly what the reference's holds.</summary>
    public static void AssertStageEqual(string referenceRun, string run, string stage, string because)
    {
        var want = StageFolder(referenceRun, stage);
        var got = StageFolder(run, stage);
        Assert.True(want.Keys.SequenceEqual(got.Keys), $"{because}: {stage}/ holds [{string.Join(", ", got.Keys)}], the reference [{string.Join(", ", want.Keys)}]");
        foreach (var (file, content) in want)
        {
            if (content == got[file]) continue;
            string detail = "";
            if (HasMeasurements(file))
            {
                // Both compared texts, for a diff (in this user's test folder: a fixed name in the shared temp folder may be another user's).
                string prefix = Path.Combine(TempDir.Root, "compare-" + file.Replace('/', '-'));
                File.WriteAllText(prefix + ".reference", content);
                File.WriteAllText(prefix + ".run", got[file]);
                detail = $" (compared texts: {prefix}.reference and .run)";
            }
            Assert.Fail($"{because}: {file} differs from the reference{detail}");
        }
    }

    /// <summary>
    /// The lock of a finished run against the reference's: same stages, kinds, code, seeds, params and external
    /// files; same output files with the same hashes (measured files: same names); every input hash is the
    /// upstream stage's recorded outputs hash; equal keys wherever the inputs are equal; and the recorded
    /// output hashes are those of the files on disk.
    /// </summary>
    public static void AssertLockEqual(string referenceRun, string run)
    {
        var want = LockFile.Load(Path.Combine(referenceRun, PipelineRunner.LockFileName), "");
        var got = LockFile.Load(Path.Combine(run, PipelineRunner.LockFileName), "");
        Assert.Equal(want.Stages.Keys, got.Stages.Keys);
        foreach (var (name, w) in want.Stages)
        {
            var g = got.Stages[name];
            Assert.Equal(w.Kind, g.Kind);
            Assert.Equal(w.Code, g.Code);
            Assert.Equal(w.Seed, g.Seed);
            Assert.Equal(string.Join(",", w.Params.Select(p => $"{p.Key}={p.Value.GetRawText()}")), string.Join(",", g.Params.Select(p => $"{p.Key}={p.Value.GetRawText()}")));
            Assert.Equal(w.Dependencies, g.Dependencies);
            Assert.Equal(w.Outputs.Keys, g.Outputs.Keys);
            foreach (var (file, hash) in w.Outputs.Where(o => !HasMeasurements($"{name}/{o.Key}")))
                Assert.True(hash == g.Outputs[file], $"lock: {name}/{file} hash differs from the reference");
            foreach (var (input, hash) in g.Inputs)
            {
                string source = got.Stages.Single(s => s.Value.OutputsHash == hash).Key; // an input is exactly one upstream stage's outputs
                Assert.Equal(got.Stages[source].OutputsHash, hash);
                Assert.True(w.Inputs.ContainsKey(input), $"lock: {name} has input {input} the reference lacks");
            }
            if (w.Inputs.SequenceEqual(g.Inputs)) Assert.True(w.Key == g.Key, $"lock: stage {name} has the reference's inputs but another key");
            Assert.Equal(g.Outputs, ContentHash.OfFolderFiles(Path.Combine(run, name)));
            Assert.Equal(g.OutputsHash, ContentHash.Combine(g.Outputs));
        }
    }

    /// <summary>Files or folders a writer leaves half-done: temp files, staging and moved-aside folders.</summary>
    public static IReadOnlyList<string> Leftovers(string runDir, bool includeHidden)
    {
        var found = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(runDir, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(runDir, entry);
            bool hidden = relative.Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.'));
            if (hidden && !includeHidden) continue;
            string name = Path.GetFileName(entry);
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || name.Contains(".staging-") || name.Contains(".old-")) found.Add(relative);
        }
        return found;
    }
}

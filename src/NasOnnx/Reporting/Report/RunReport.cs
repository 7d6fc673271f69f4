using System.Globalization;
using System.Text.Json;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;

namespace NasOnnx.Reporting.Report;

/// <summary>
/// Builds the run report from what the stages left in the run folder: the lock (stages, hashes, wall time), every
/// figure (training curves, search progress, Pareto front, latency plots), small CSV tables (metrics, per-class
/// accuracy, latency) and JSON summaries, and a model card for the exported ONNX model.
/// </summary>
public static class RunReport
{
    /// <summary>CSV files with at most this many rows are shown as tables; longer ones are summarized by their plots.</summary>
    private const int MaxTableRows = 25;

    public static IReadOnlyList<ReportBlock> Build(string runDir, string pipelineName, string pipelineFile, string selfStage)
    {
        string lockPath = Path.Combine(runDir, PipelineRunner.LockFileName);
        var lockFile = LockFile.Load(lockPath, pipelineName);
        var stages = lockFile.Stages.Where(s => s.Key != selfStage).OrderBy(s => s.Value.Completed).ToList();
        var blocks = new List<ReportBlock>
        {
            new Heading(1, $"NasOnnx run report: {pipelineName}"),
            new Paragraph($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by NasOnnx {PipelineRunner.CodeVersion} " +
                          $"from {pipelineFile}. Lock file {lockPath} (SHA-256 {(File.Exists(lockPath) ? ContentHash.OfFile(lockPath)[..16] : "none")})."),
            new Heading(2, "Reproduce"),
            new CodeBlock($"nasonnx run {Path.GetRelativePath(PipelineRunner.ProjectRootOf(pipelineFile), pipelineFile)}\n" +
                          "# with the same code version; each stage's resolved params, seed and thread count are in pipeline.lock"),
            new Heading(2, "Stages"),
            new TableBlock(["stage", "kind", "seconds", "completed (UTC)", "key", "outputs", "seed"],
                stages.Select(s => (IReadOnlyList<string>)[s.Key, s.Value.Kind, s.Value.Seconds.ToString("0.0", CultureInfo.InvariantCulture),
                    s.Value.Completed.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Short(s.Value.Key), Short(s.Value.OutputsHash), s.Value.Seed.ToString(CultureInfo.InvariantCulture)]).ToList()),
            new Paragraph($"Total stage time {stages.Sum(s => s.Value.Seconds):0.0} s. A stage re-runs when its key (kind, code, seed, threads, params, " +
                          "input files and upstream outputs) changes; otherwise `nasonnx run` skips it."),
        };

        var onnx = stages.Select(s => Path.Combine(runDir, s.Key, "model.onnx")).LastOrDefault(File.Exists);
        if (onnx is not null) blocks.AddRange(ModelCard(onnx, runDir, stages.Select(s => s.Key).ToList()));

        foreach (var (name, entry) in stages)
        {
            string dir = Path.Combine(runDir, name);
            if (!Directory.Exists(dir)) continue;
            var section = new List<ReportBlock>();
            foreach (var png in Directory.EnumerateFiles(dir, "*.png").Order(StringComparer.Ordinal))
                section.Add(new Figure($"{name}: {Path.GetFileNameWithoutExtension(png).Replace('_', ' ')}", png));
            foreach (var csv in Directory.EnumerateFiles(dir, "*.csv").Order(StringComparer.Ordinal))
                if (CsvTable(csv, $"{name}/{Path.GetFileName(csv)}") is { } table) section.Add(table);
            foreach (var json in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
                if (JsonTable(json, $"{name}/{Path.GetFileName(json)}") is { } table) section.Add(table);
            if (section.Count == 0) continue;
            blocks.Add(new Heading(2, $"Stage {name} ({entry.Kind})"));
            blocks.AddRange(section);
        }
        return blocks;
    }

    private static IEnumerable<ReportBlock> ModelCard(string onnxPath, string runDir, IReadOnlyList<string> stages)
    {
        var info = OnnxInspector.Inspect(onnxPath);
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "file", Path.GetRelativePath(runDir, onnxPath) },
            new[] { "size", $"{info.FileBytes / 1024.0:0.0} KiB" },
            new[] { "input", string.Join("; ", info.Inputs) },
            new[] { "output", string.Join("; ", info.Outputs) },
            new[] { "parameters", info.TrainedParameters.ToString("N0", CultureInfo.InvariantCulture) },
            new[] { "MACs (batch 1)", info.Macs.ToString("N0", CultureInfo.InvariantCulture) },
            new[] { "ops", string.Join(", ", info.OpCounts.OrderByDescending(o => o.Value).Select(o => $"{o.Key} x{o.Value}")) },
        };
        if (MeasuredLatency(runDir, stages, info.Metadata.GetValueOrDefault(OnnxExporter.Keys.ArchId)) is { } latency) rows.AddRange(latency);
        foreach (var (key, value) in info.Metadata.Where(m => m.Key != OnnxExporter.Keys.Architecture).OrderBy(m => m.Key, StringComparer.Ordinal))
            rows.Add([key, value]);
        yield return new Heading(2, "Model card");
        yield return new TableBlock(["property", "value"], rows);
        if (info.Metadata.TryGetValue(OnnxExporter.Keys.Architecture, out var arch))
        {
            yield return new Paragraph("Architecture (the JSON embedded in the model's metadata):");
            yield return new CodeBlock(Pretty(arch));
        }
        // Per-class accuracy of the ONNX file itself, when an evaluate stage measured it with ONNX Runtime.
        foreach (var stage in stages)
        {
            string perClass = Path.Combine(runDir, stage, "per_class.csv");
            if (File.Exists(perClass) && File.Exists(Path.Combine(runDir, stage, "metrics.csv")) && CsvTable(perClass, $"per-class accuracy ({stage})") is { } t)
                yield return t;
        }
    }

    /// <summary>
    /// The delivered model's measured latency: the last benchmark stage (latency.json) that measured this architecture:
    /// p50, p90, the device fingerprint, and the target with its verdict when one was set.
    /// </summary>
    private static List<IReadOnlyList<string>>? MeasuredLatency(string runDir, IReadOnlyList<string> stages, string? archId)
    {
        foreach (var stage in stages.Reverse())
        {
            string path = Path.Combine(runDir, stage, "latency.json");
            if (!File.Exists(path)) continue;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                if (!doc.RootElement.TryGetProperty("record", out var r)) continue;
                if (archId is not null && r.TryGetProperty("arch_id", out var a) && a.GetString() is { Length: > 0 } id && id != archId) continue;
                string Ms(string key) => r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("0.000", CultureInfo.InvariantCulture) : "?";
                string Text(JsonElement e, string key) => e.TryGetProperty(key, out var v) ? v.ToString() : "?";
                var rows = new List<IReadOnlyList<string>>
                {
                    new[] { "measured latency p50 / p90", $"{Ms("p50_ms")} / {Ms("p90_ms")} ms ({Text(r, "runs")} runs, batch {Text(r, "batch")}, {Text(r, "threads")} thread(s), {Text(r, "ep")}, {Text(r, "clock")} clock; stage {stage})" },
                    new[] { "latency device", $"{Text(r, "cpu_model")}, {Text(r, "logical_cores")} cores, ONNX Runtime {Text(r, "ort_version")}, opset {Text(r, "opset")}, {Text(r, "graph_optimization")} (fingerprint {Text(r, "fingerprint_id")}); load {Text(r, "load1")}" },
                };
                if (doc.RootElement.TryGetProperty("latency_target_ms", out var t) && t.ValueKind == JsonValueKind.Number)
                    rows.Add(["latency target", $"{t.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)} ms: " +
                                               (doc.RootElement.TryGetProperty("meets_target", out var m) && m.ValueKind == JsonValueKind.True ? "met" : "MISSED")]);
                return rows;
            }
            catch (JsonException)
            {
                continue;
            }
        }
        return null;
    }

    private static TableBlock? CsvTable(string path, string caption)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2) return null;
        var rows = lines.Skip(1).Select(SplitCsv).ToList();
        if (rows.Count > MaxTableRows)
        {
            // Long logs: first and last rows, so the table stays readable; the plots show the rest.
            rows = [.. rows.Take(5), Enumerable.Repeat("...", rows[0].Count).ToList(), .. rows.TakeLast(5)];
            caption += $" ({lines.Count - 1} rows, first and last 5 shown)";
        }
        return new TableBlock(SplitCsv(lines[0]), rows.Select(r => (IReadOnlyList<string>)r.Select(Round).ToList()).ToList(), caption);
    }

    private static TableBlock? JsonTable(string path, string caption)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            var rows = doc.RootElement.EnumerateObject()
                .Select(p => (IReadOnlyList<string>)[p.Name, p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? Truncate(p.Value.GetRawText()) : p.Value.ToString()])
                .ToList();
            return rows.Count == 0 ? null : new TableBlock(["key", "value"], rows, caption);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    private static string Round(string field) =>
        field.Contains('.') && double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("G5", CultureInfo.InvariantCulture) : Truncate(field);

    private static string Truncate(string text) => text.Length <= 160 ? text : text[..157] + "...";

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string Pretty(string json)
    {
        try { return JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true }); }
        catch (JsonException) { return json; }
    }
}

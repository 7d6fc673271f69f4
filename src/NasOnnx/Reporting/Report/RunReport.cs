using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Artifacts;
using NasOnnx.Onnx;
using NasOnnx.Reporting.Cards;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Plots;
using NasOnnx.Latency;

namespace NasOnnx.Reporting.Report;

/// <summary>
/// Builds the run report from what the stages left in the run folder, in this order: the command that reproduces
/// the run; the pipeline and its lock (what this run did with each stage and why, wall time, hashes); the search
/// progress curves, Pareto fronts and training curves found in the stages' folders; the model card of the exported
/// model (architecture, params, MACs, ONNX Runtime accuracy and per-class accuracy, measured latency with the device
/// fingerprint, predicted latency); then every stage's remaining figures, small CSV tables and JSON summaries.
/// A section appears when its inputs exist.
/// </summary>
public static class RunReport
{
    /// <summary>CSV files with at most this many rows are shown as tables; longer ones are summarized by their plots.</summary>
    private const int MaxTableRows = 25;

    /// <param name="earlier">What the current run did with each earlier stage (ran and why, skipped); empty outside a run.</param>
    /// <param name="runSets">The current run's --set overrides (those for the report stage itself are not in the lock yet).</param>
    /// <param name="card">The model card shown in the report (null when the run exported no model or it could not be made).</param>
    /// <param name="modelStage">The export stage whose model the card describes (null: the last one that wrote model.onnx).</param>
    public static IReadOnlyList<ReportBlock> Build(string runDir, string pipelineName, string pipelineFile, string selfStage,
        out ModelCard? card, IReadOnlyList<StageResult>? earlier = null, IReadOnlyList<string>? runSets = null, string? modelStage = null)
    {
        card = null;
        string lockPath = Path.Combine(runDir, LockFile.FileName);
        var lockFile = LockFile.Load(lockPath, pipelineName);
        lockFile.Stages.Remove(selfStage);
        var run = RunFolder.FromLock(runDir, lockFile);
        var stages = run.Stages;
        string projectRoot = ProjectRoot.Of(pipelineFile);
        string pipelineRel = Path.GetRelativePath(projectRoot, Path.GetFullPath(pipelineFile)).Replace('\\', '/');
        var sets = ModelCardBuilder.ReproduceSets(run)
            .Concat((runSets ?? []).Where(s => s.StartsWith(selfStage + ".", StringComparison.Ordinal))).Distinct(StringComparer.Ordinal).ToList();
        string lockHash = File.Exists(lockPath) ? ContentHash.OfFile(lockPath) : "none";
        var blocks = new List<ReportBlock>
        {
            new Heading(1, $"NasOnnx run report: {pipelineName}"),
            new Paragraph($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by NasOnnx {CodeVersion.Current} from {pipelineRel}."),
            new Heading(2, "Reproduce"),
            new CodeBlock(ModelCard.ReproduceCommandFor(pipelineRel, sets)),
            new Paragraph((sets.Count == 0 ? "The run used the pipeline file as it is (no --set overrides). " : $"The run overrode {sets.Count} param(s) with --set (recorded per stage in the lock). ") +
                          $"Run it from the project root with the same code version ({CodeVersion.Current}); each stage's resolved params, seed and thread count are in pipeline.lock, " +
                          "and stages whose key is unchanged are skipped."),
        };
        blocks.AddRange(PipelineSection(run, earlier ?? [], lockPath, lockHash));

        var shown = new HashSet<string>(StringComparer.Ordinal);
        Figure Fig(string stage, string file, string caption)
        {
            string path = run.PathOf(stage, file);
            shown.Add(path);
            return new Figure(caption, path);
        }
        var progress = run.StagesWith(SearchPlot.FileName).ToList();
        if (progress.Count > 0)
        {
            blocks.Add(new Heading(2, "Search progress"));
            blocks.AddRange(progress.Select(s => Fig(s, SearchPlot.FileName, $"{s}: score of every evaluated architecture and the best so far")));
        }
        var pareto = run.StagesWith(ParetoPng).ToList();
        if (pareto.Count > 0)
        {
            blocks.Add(new Heading(2, "Pareto front"));
            foreach (var s in pareto)
            {
                blocks.Add(Fig(s, ParetoPng, $"{s}: Pareto front of the evaluated architectures"));
                if (run.Has(s, ParetoCsv) && CsvTable(run.PathOf(s, ParetoCsv), $"{s}/{ParetoCsv}") is { } t)
                {
                    blocks.Add(t);
                    shown.Add(run.PathOf(s, ParetoCsv));
                }
            }
        }
        var curves = run.StagesWith(CurvesPng).ToList();
        if (curves.Count > 0)
        {
            blocks.Add(new Heading(2, "Training curves"));
            blocks.AddRange(curves.Select(s => Fig(s, CurvesPng, $"{s} ({run.Lock.Stages[s].Kind}): loss and accuracy per epoch")));
        }

        if (CardSources.Find(run, modelStage) is { } sources)
        {
            try
            {
                var built = ModelCardBuilder.Build(run, sources, pipelineName, pipelineRel);
                blocks.AddRange(ModelCardSection(run, sources, built).ToList());
                card = built;
            }
            catch (NasOnnxException e)
            {
                // A damaged model must not cost the rest of the report; say what is wrong where the card would be.
                blocks.AddRange([new Heading(2, "Model card"), new Paragraph($"The model card could not be made: {e.Describe()}")]);
            }
        }

        foreach (var name in stages)
        {
            string dir = Path.Combine(runDir, name);
            if (!Directory.Exists(dir)) continue;
            var section = new List<ReportBlock>();
            foreach (var png in Directory.EnumerateFiles(dir, "*.png").Order(StringComparer.Ordinal).Where(p => !shown.Contains(p)))
                section.Add(new Figure($"{name}: {Path.GetFileNameWithoutExtension(png).Replace('_', ' ')}", png));
            foreach (var csv in Directory.EnumerateFiles(dir, "*.csv").Order(StringComparer.Ordinal).Where(p => !shown.Contains(p)))
                if (CsvTable(csv, $"{name}/{Path.GetFileName(csv)}") is { } table) section.Add(table);
            foreach (var json in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
                if (JsonTable(json, $"{name}/{Path.GetFileName(json)}") is { } table) section.Add(table);
            if (section.Count == 0) continue;
            blocks.Add(new Heading(2, $"Stage {name} ({run.Lock.Stages[name].Kind})"));
            blocks.AddRange(section);
        }
        return blocks;
    }

    public const string ParetoPng = "pareto.png";
    public const string ParetoCsv = "pareto.csv";
    public const string CurvesPng = "curves.png";

    /// <summary>Stages in completion order: what this run did with each, wall time, hashes.</summary>
    private static IEnumerable<ReportBlock> PipelineSection(RunFolder run, IReadOnlyList<StageResult> earlier, string lockPath, string lockHash)
    {
        var inv = CultureInfo.InvariantCulture;
        string ThisRun(string stage) => earlier.FirstOrDefault(r => r.Stage == stage) switch
        {
            { Outcome: StageOutcome.Ran } r => $"ran ({r.Reason})",
            { Outcome: StageOutcome.Skipped } => "skipped (up to date)",
            { Outcome: StageOutcome.NotChecked } r => $"taken as is ({r.Reason})",
            _ => "not in this run",
        };
        var stages = run.Stages;
        yield return new Heading(2, "Pipeline and lock");
        yield return new Paragraph($"Lock file {lockPath} as the report found it (before its own entry), SHA-256 {lockHash}. {stages.Count} completed stage(s); " +
            $"{earlier.Count(r => r.Outcome == StageOutcome.Ran)} ran in this run, {earlier.Count(r => r.Outcome != StageOutcome.Ran)} were skipped or taken as they were.");
        yield return new TableBlock(["stage", "kind", "this run", "wall time (s)", "completed (UTC)", "seed", "key", "outputs", "code", "--set"],
            stages.Select(s =>
            {
                var e = run.Lock.Stages[s];
                return (IReadOnlyList<string>)[s, e.Kind, ThisRun(s), e.Seconds.ToString("0.0", inv), e.Completed.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", inv),
                    e.Seed.ToString(inv), Short(e.Key), Short(e.OutputsHash), e.Code, string.Join(" ", e.Sets)];
            }).ToList());
        yield return new Paragraph($"Total wall time of the stages' last computations {stages.Sum(s => run.Lock.Stages[s].Seconds).ToString("0.0", inv)} s " +
            $"(this run: {earlier.Sum(r => r.Seconds).ToString("0.0", inv)} s before the report). A stage re-runs when its key (kind, code, seed, threads, params, " +
            "input files and upstream outputs) changes or its outputs were modified; otherwise `nasonnx run` skips it.");
    }

    /// <summary>The model card of the run's exported model: the same facts `nasonnx publish` writes into model_card.json.</summary>
    private static IEnumerable<ReportBlock> ModelCardSection(RunFolder run, CardSources sources, ModelCard card)
    {
        var inv = CultureInfo.InvariantCulture;
        string onnxPath = run.PathOf(sources.Export, ExportFiles.Model);
        var info = OnnxInspector.Inspect(onnxPath);
        string accuracy = card.TestAccuracyOnnx is double acc
            ? $"{ModelCard.Percent(acc)} on {card.TestImages?.ToString("N0", inv)} test {(card.VocabularySha256 is null ? "images" : "texts")}, ONNX Runtime on model.onnx (stage {card.EvaluationStage})"
            : info.Metadata.TryGetValue(OnnxExporter.Keys.Accuracy, out var metaAcc) && double.TryParse(metaAcc, NumberStyles.Float, inv, out var ma)
                ? $"{ModelCard.Percent(ma)} (recorded in the model's metadata by the export stage; no ONNX Runtime evaluation of this file in the run)"
                : "not measured (add an evaluate stage with model: the export stage)";
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "file", $"{Path.GetRelativePath(run.Dir, onnxPath)} ({info.FileBytes / 1024.0:0.0} KiB, opset {info.Opset}, SHA-256 {card.OnnxSha256[..16]}...)" },
            new[] { "dataset", card.Dataset + (card.NormalizationMean is { } m ? $" (normalization mean {string.Join(" ", m.Select(v => v.ToString("R", inv)))}, std {string.Join(" ", card.NormalizationStd!.Select(v => v.ToString("R", inv)))})" : "") },
            new[] { "architecture", $"space {card.Space}, ArchId {card.ArchId}" },
            new[] { "input", string.Join("; ", info.Inputs) },
            new[] { "output", string.Join("; ", info.Outputs) },
            new[] { "parameters", card.Params.ToString("N0", inv) },
            new[] { "MACs (batch 1)", card.Macs.ToString("N0", inv) },
            new[] { "test accuracy", accuracy },
        };
        if (card.OnnxVsTorchMaxAbsDiff is double diff) rows.Add(["ONNX Runtime vs TorchSharp", $"max abs logit difference {diff.ToString("0.0e+0", inv)}"]);
        rows.Add(["measured latency", card.LatencyP50Ms is double p50
            ? $"p50 {p50.ToString("0.000", inv)} ms, p90 {card.LatencyP90Ms?.ToString("0.000", inv)} ms (stage {sources.Benchmark}, {card.Threads} thread(s), batch {card.Batch})"
            : "not measured (add a benchmark stage with model: the export stage)"]);
        if (card.Device is not null) rows.Add(["device", $"{card.Device} (fingerprint {card.DeviceId})"]);
        if (sources.Benchmark is { } bench && BenchmarkResult.TryLoad(Path.Combine(run.Dir, bench)) is { TargetMs: double target } measured)
            rows.Add(["latency target", $"{target.ToString("0.###", inv)} ms: {(measured.MeetsTarget ? "met" : "MISSED")}"]);
        if (card.PredictedLatencyMs is double pred) rows.Add(["predicted latency", $"{pred.ToString("0.000", inv)} ms (profile-latency predictor of this run)"]);
        rows.Add(["ops", string.Join(", ", info.OpCounts.OrderByDescending(o => o.Value).Select(o => $"{o.Key} x{o.Value}"))]);
        rows.Add(["export stage", $"{card.ExportStage}, key {Short(card.ExportStageKey ?? "")}, code {card.CodeVersion}"]);
        foreach (var (key, value) in info.Metadata.Where(m => m.Key != OnnxExporter.Keys.Architecture).OrderBy(m => m.Key, StringComparer.Ordinal))
            rows.Add([$"metadata {key}", value]);
        yield return new Heading(2, "Model card");
        yield return new TableBlock(["property", "value"], rows);

        string archJson = ModelCardBuilder.ArchitectureJson(run, sources.Export, info.Metadata);
        yield return new Heading(3, "Architecture");
        if (SpaceRegistry.Parse(archJson) is Architecture a) yield return new Paragraph(a.Describe());
        if (ArchitectureTable(archJson) is { } archTable) yield return archTable;
        yield return new CodeBlock(Pretty(archJson));
        if (card.PerClassAccuracy is { Count: > 0 } perClass)
        {
            yield return new Heading(3, "Per-class test accuracy");
            yield return new TableBlock(["class", "name", "images", "accuracy"],
                perClass.Select(p => (IReadOnlyList<string>)[p.Class.ToString(inv), p.Name, p.Images.ToString(inv), ModelCard.Percent(p.Accuracy, 1)]).ToList(),
                $"ONNX Runtime on model.onnx (stage {card.EvaluationStage})");
        }
    }

    /// <summary>
    /// The architecture's decisions as a table, for any space: every top-level array of the JSON (cells' edges,
    /// layers) one row per element, and the network config. The JSON below it stays the exact form.
    /// </summary>
    private static TableBlock? ArchitectureTable(string json)
    {
        try
        {
            var root = JsonNode.Parse(json)!.AsObject();
            var rows = new List<IReadOnlyList<string>>();
            if (root["config"] is JsonObject config)
                rows.Add(["config", "", string.Join(", ", config.Select(p => $"{p.Key} {p.Value?.ToJsonString()}"))]);
            foreach (var (key, value) in root)
            {
                if (value is not JsonArray items) continue;
                for (int i = 0; i < items.Count; i++)
                    rows.Add([key, i.ToString(CultureInfo.InvariantCulture), Flat(items[i])]);
            }
            return rows.Count == 0 ? null : new TableBlock(["part", "#", "choice"], rows, "decisions of the architecture");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Flat(JsonNode? node) => node switch
    {
        JsonArray a => string.Join(" ", a.Select(Flat)),
        JsonObject o => string.Join(", ", o.Select(p => $"{p.Key} {Flat(p.Value)}")),
        null => "null",
        _ => node.ToJsonString().Trim('"'),
    };

    private static TableBlock? CsvTable(string path, string caption)
    {
        var (header, table) = Csv.ReadTable(path);
        if (table.Count == 0) return null;
        var rows = table.ToList();
        if (rows.Count > MaxTableRows)
        {
            // Long logs: first and last rows, so the table stays readable; the plots show the rest.
            rows = [.. rows.Take(5), Enumerable.Repeat("...", rows[0].Count).ToList(), .. rows.TakeLast(5)];
            caption += $" ({table.Count} rows, first and last 5 shown)";
        }
        return new TableBlock(header, rows.Select(r => (IReadOnlyList<string>)r.Select(Round).ToList()).ToList(), caption);
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

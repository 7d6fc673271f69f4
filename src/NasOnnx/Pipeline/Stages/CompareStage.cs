using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Latency;
using NasOnnx.Reporting;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Compares networks trained with several seeds, e.g. a searched one against hand-designed baselines with the same
/// recipe. A candidate C is found by its stage names: for each seed k, `C-k-export` (an export stage) and `C-k-onnx`
/// (an evaluate stage on that export, so accuracy is ONNX Runtime's on the test set). Size comes from the export; the
/// latency of every candidate's first model is measured here, all candidates in alternating rounds so they see the
/// same machine load. Writes comparison.csv (one row per candidate), runs.csv (one per seed) and comparison.md (the
/// table with the reference candidate's margin over each other in standard deviations). Put it after the
/// candidates' stages; like report, it re-runs when an earlier stage does.
/// </summary>
public sealed partial class CompareStage : IStage
{
    public const string TableFile = "comparison.csv";
    public const string RunsFile = "runs.csv";
    public const string MarkdownFile = "comparison.md";

    public string Kind => "compare";
    public string Description => "Compare candidates trained with several seeds (stages C-k-export and C-k-onnx): size, latency, accuracy mean and spread, margin in SDs.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.NameList("candidates", null, "the candidates' names C, in table order (stages C-1-export, C-1-onnx, C-2-..., per seed)"),
        ParamSpec.Str("reference", null, "the candidate whose margin over the others is reported (default: the first)"),
        ParamSpec.Float("latency_target", 0.0, "latency budget in ms (0: none): the table marks candidates whose p50 is over it"),
        ParamSpec.Int("rounds", 3, "latency: alternating rounds over the candidates; the median round counts"),
        .. LatencyParams.Bench(runs: 200),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [];

    public void Validate(StageContext context)
    {
        LatencyParams.Options(context);
        var names = Candidates(context);
        if (names.Count == 0) throw context.Error("compare needs at least one candidate", "set candidates: [searched, baseline, ...]", context.PipelineFile);
        string reference = context.String("reference") ?? names[0];
        if (!names.Contains(reference))
            throw context.Error($"reference '{reference}' is not one of the candidates ({string.Join(", ", names)})", "name one of them, or leave reference out (the first)", context.PipelineFile);
        if (context.Int("rounds") < 1) throw context.Error("rounds must be at least 1", "set e.g. rounds: 3", context.PipelineFile);
    }

    private static List<string> Candidates(StageContext context) =>
        (context.String("candidates") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    [GeneratedRegex(@"^(?<candidate>.+)-(?<seed>\d+)-onnx$")]
    private static partial Regex EvaluationName();

    private sealed record Seeded(int Seed, string ExportDir, string EvaluationDir);

    public void Run(StageContext context)
    {
        var names = Candidates(context);
        string referenceName = context.String("reference") ?? names[0];
        var byName = context.EarlierResults.ToDictionary(r => r.Stage, r => r.OutputDir, StringComparer.Ordinal);
        var found = new Dictionary<string, List<Seeded>>();
        foreach (var name in names)
        {
            var seeds = new List<Seeded>();
            foreach (var r in context.EarlierResults)
            {
                var m = EvaluationName().Match(r.Stage);
                if (!m.Success || m.Groups["candidate"].Value != name) continue;
                int seed = int.Parse(m.Groups["seed"].Value, CultureInfo.InvariantCulture);
                string exportStage = $"{name}-{seed}-export";
                if (!byName.TryGetValue(exportStage, out var exportDir))
                    throw context.Error($"candidate '{name}': stage {r.Stage} has no export stage {exportStage} before it",
                        $"name the export of seed {seed} {exportStage} and evaluate it in {r.Stage}", context.PipelineFile);
                seeds.Add(new Seeded(seed, exportDir, r.OutputDir));
            }
            if (seeds.Count == 0)
                throw context.Error($"candidate '{name}' has no evaluation: no earlier stage is named {name}-<seed>-onnx",
                    $"add stages {name}-1 (train or retrain), {name}-1-export and {name}-1-onnx (evaluate of the export) before this one", context.PipelineFile);
            foreach (var s in seeds)
            {
                foreach (var file in new[] { Path.Combine(s.ExportDir, ExportFiles.Model), Path.Combine(s.ExportDir, ExportFiles.Summary) })
                    if (!File.Exists(file)) throw context.Error($"candidate '{name}' seed {s.Seed}: {Path.GetFileName(file)} is missing", $"{name}-{s.Seed}-export must be an export stage", file);
                if (!File.Exists(Path.Combine(s.EvaluationDir, MetricsFile.FileName)))
                    throw context.Error($"candidate '{name}' seed {s.Seed}: {MetricsFile.FileName} is missing", $"{name}-{s.Seed}-onnx must be an evaluate stage", s.EvaluationDir);
            }
            found[name] = [.. seeds.OrderBy(s => s.Seed)];
        }

        var latency = MeasureLatencies(context, names.Select(n => (n, Path.Combine(found[n][0].ExportDir, ExportFiles.Model))).ToList());
        var results = new List<CandidateResult>();
        var runRows = new List<IReadOnlyList<string>>();
        foreach (var name in names)
        {
            var exports = found[name].Select(s => ReadSummary(context, s.ExportDir)).ToList();
            var archIds = exports.Select(e => e.ArchId).Distinct().ToList();
            if (archIds.Count > 1)
                throw context.Error($"candidate '{name}': its seeds exported different architectures ({string.Join(", ", archIds)})",
                    "a candidate's seeds must train the same network; give different networks different candidate names", context.PipelineFile);
            var accuracies = found[name].Select(s => MetricsFile.Read(s.EvaluationDir).Accuracy).ToList();
            foreach (var (s, a) in found[name].Zip(accuracies))
                runRows.Add([name, s.Seed.ToString(CultureInfo.InvariantCulture), a.ToString("0.######", CultureInfo.InvariantCulture), archIds[0]]);
            results.Add(new CandidateResult(name, exports[0].Parameters, exports[0].Macs, latency[name].P50, latency[name].P90, accuracies));
        }
        var reference = results.Single(r => r.Name == referenceName);
        double target = context.Float("latency_target");
        Csv.WriteTable(context.OutputPath(TableFile), CandidateComparison.Header, CandidateComparison.Rows(results, reference, target));
        Csv.WriteTable(context.OutputPath(RunsFile), ["candidate", "seed", "accuracy", "arch_id"], runRows);
        string markdown = CandidateComparison.Markdown(results, reference, target);
        AtomicWrite.Text(context.OutputPath(MarkdownFile), markdown);
        context.Log.Info($"comparison ({context.OutputPath(MarkdownFile)}):\n{markdown}");
    }

    private sealed record ExportSummary(long Parameters, long Macs, string ArchId);

    /// <summary>Size and architecture id from an export stage's export.json.</summary>
    private static ExportSummary ReadSummary(StageContext context, string exportDir)
    {
        string path = Path.Combine(exportDir, ExportFiles.Summary);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            return new ExportSummary(root.GetProperty("parameters").GetInt64(), root.GetProperty("macs").GetInt64(),
                root.TryGetProperty("arch_id", out var id) ? id.GetString() ?? "" : "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw context.Error($"{ExportFiles.Summary} cannot be read: {e.Message}", "re-run that export stage with --force", path);
        }
    }

    /// <summary>Rounds over all candidates in turn, so drifting load from other processes hits each alike; the median round's p50 and p90.</summary>
    private static Dictionary<string, (double P50, double P90)> MeasureLatencies(StageContext context, List<(string Name, string Model)> models)
    {
        var options = LatencyParams.Options(context);
        int rounds = (int)context.Int("rounds");
        var p50 = models.ToDictionary(m => m.Name, _ => new List<double>());
        var p90 = models.ToDictionary(m => m.Name, _ => new List<double>());
        var bytes = models.ToDictionary(m => m.Name, m => File.ReadAllBytes(m.Model));
        for (int round = 0; round < rounds; round++)
            foreach (var (name, path) in models)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var m = LatencyHarness.Measure(bytes[name], options, path);
                p50[name].Add(m.Stats.P50);
                p90[name].Add(m.Stats.P90);
                context.Log.Info($"round {round + 1}/{rounds} {name}: p50 {m.Stats.P50:0.000} ms, p90 {m.Stats.P90:0.000} ms");
            }
        return models.ToDictionary(m => m.Name, m => (LatencyStats.Median(p50[m.Name]), LatencyStats.Median(p90[m.Name])));
    }
}

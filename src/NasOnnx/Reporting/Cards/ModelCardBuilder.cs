using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Artifacts;
using NasOnnx.Latency;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Reporting.Cards;

/// <summary>
/// Makes a <see cref="ModelCard"/> from what a run's stages wrote: the ONNX file (params, MACs, metadata), the
/// export stage's export.json, an ONNX Runtime evaluation, a benchmark, a latency predictor, and the lock. The run
/// report and `nasonnx publish` both use it, so the report's model card and the published one say the same.
/// </summary>
public static class ModelCardBuilder
{
    public static ModelCard Build(RunFolder run, CardSources sources, string name, string pipeline, string? description = null,
        BenchmarkResult? measuredNow = null)
    {
        string onnx = run.PathOf(sources.Export, ExportFiles.Model);
        var info = OnnxInspector.Inspect(onnx);
        var meta = info.Metadata;
        var exportEntry = run.Entry(sources.Export);
        string archJson = ArchitectureJson(run, sources.Export, meta);
        var arch = SpaceRegistry.Parse(archJson);

        (double Accuracy, long Images)? metrics = sources.Evaluation is null ? null : run.Metrics(sources.Evaluation);
        var bench = sources.Benchmark is null ? measuredNow : BenchmarkResult.TryLoad(Path.Combine(run.Dir, sources.Benchmark));
        var (mean, std) = Normalization(meta);
        var notes = new List<string>();
        if (metrics is null) notes.Add("No evaluate stage ran this ONNX file with ONNX Runtime on the test split; test accuracy unknown.");
        if (bench is null) notes.Add("No benchmark stage measured this ONNX file; latency unknown.");

        var perClass = sources.Evaluation is null ? null : run.PerClass(sources.Evaluation);
        return new ModelCard
        {
            Name = name,
            Description = description,
            Dataset = meta.GetValueOrDefault(OnnxExporter.Keys.Dataset) ?? "unknown",
            NormalizationMean = mean,
            NormalizationStd = std,
            VocabularyFile = meta.ContainsKey(OnnxExporter.Keys.VocabularyHash) ? ExportFiles.Vocabulary : null,
            VocabularySha256 = meta.GetValueOrDefault(OnnxExporter.Keys.VocabularyHash),
            VocabularySize = meta.TryGetValue(OnnxExporter.Keys.Vocabulary, out var vocabulary) ? int.Parse(vocabulary, System.Globalization.CultureInfo.InvariantCulture) : null,
            SequenceLength = meta.TryGetValue(OnnxExporter.Keys.SequenceLength, out var length) ? int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : null,
            TestAccuracyOnnx = metrics?.Accuracy,
            TestImages = metrics?.Images,
            EvaluationStage = sources.Evaluation,
            PerClassAccuracy = perClass,
            ClassNames = meta.TryGetValue(OnnxExporter.Keys.Classes, out var classes)
                ? System.Text.Json.JsonSerializer.Deserialize<string[]>(classes)
                : perClass?.Select(c => c.Name).ToArray(),
            LatencyP50Ms = bench is null ? null : Math.Round(bench.P50Ms, 4),
            Numerics = run.Lock.Stages.Values.Select(s => s.Numerics).OfType<string>().Distinct().DefaultIfEmpty().Aggregate((a, b) => a + " | " + b),
            LatencyP90Ms = bench is null ? null : Math.Round(bench.P90Ms, 4),
            Device = bench?.Device,
            DeviceId = bench?.DeviceId,
            Threads = bench?.Threads,
            Batch = bench?.Batch,
            LatencySource = bench is null ? null
                : sources.Benchmark is not null ? $"benchmark stage `{sources.Benchmark}` ({bench.Runs} runs{(bench.Load is null ? "" : $", load average {bench.Load}")})"
                : $"`nasonnx publish --measure-latency` ({bench.Runs} runs{(bench.Load is null ? "" : $", load average {bench.Load}")}); the run had no benchmark stage",
            PredictedLatencyMs = PredictedLatency(run, arch),
            Pipeline = pipeline,
            Sets = ReproduceSets(run),
            LockSha256 = File.Exists(run.LockPath) ? ContentHash.OfFile(run.LockPath) : null,
            ExportStage = sources.Export,
            ExportStageKey = exportEntry.Key,
            CodeVersion = exportEntry.Code.Split('/') is { Length: 3 } code ? code[2] : null,
            ArchId = meta.GetValueOrDefault(OnnxExporter.Keys.ArchId) ?? arch.ArchId,
            Space = arch.Space,
            Params = info.TrainedParameters,
            Macs = info.Macs,
            OnnxSha256 = ContentHash.OfFile(onnx),
            OnnxBytes = info.FileBytes,
            Opset = info.Opset,
            OnnxVsTorchMaxAbsDiff = ExportDiff(run, sources.Export),
            Notes = notes,
        };
    }

    /// <summary>Every `--set` the lock's stages were computed with, in stage order, each once.</summary>
    public static IReadOnlyList<string> ReproduceSets(RunFolder run) =>
        run.Stages.SelectMany(s => run.Lock.Stages[s].Sets).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The export stage's architecture.json, else the JSON embedded in the model's metadata.</summary>
    public static string ArchitectureJson(RunFolder run, string export, IReadOnlyDictionary<string, string> meta)
    {
        string file = run.PathOf(export, ExportFiles.Architecture);
        if (File.Exists(file)) return File.ReadAllText(file);
        return meta.GetValueOrDefault(OnnxExporter.Keys.Architecture)
            ?? throw new NasOnnxException("the model has no architecture (no architecture.json beside it, none in its metadata)",
                "export it with the export stage or `nasonnx export`") { FilePath = run.PathOf(export, ExportFiles.Model) };
    }

    /// <summary>
    /// The prediction of the run's (last) profile-latency predictor, when it was built for this architecture's space
    /// and network size; null otherwise (another space or size would give a meaningless number).
    /// </summary>
    public static double? PredictedLatency(RunFolder run, IArchitecture arch)
    {
        foreach (var stage in run.StagesWith(LatencyPredictor.FileName).Reverse())
        {
            try
            {
                var predictor = SpaceLatency.LoadPredictor(Path.Combine(run.Dir, stage), out var space, out _);
                if (space.Name != arch.Space || !SameNetworkSize(space, arch)) continue;
                return Math.Round(predictor.PredictMs(space.Parse(arch.ToJson())), 4);
            }
            catch (NasOnnxException) { }
        }
        return null;
    }

    /// <summary>Whether the space's architectures have the same input, classes and config (widths, depths) as this one.</summary>
    private static bool SameNetworkSize(ISearchSpace space, IArchitecture arch)
    {
        var sample = JsonNode.Parse(space.Sample(new Random(0)).ToJson())!.AsObject();
        var ours = JsonNode.Parse(arch.ToJson())!.AsObject();
        return new[] { "input", "classes", "config" }.All(k => JsonNode.DeepEquals(sample[k], ours[k]));
    }

    private static (IReadOnlyList<float>? Mean, IReadOnlyList<float>? Std) Normalization(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(OnnxExporter.Keys.Normalization, out var text)) return (null, null);
        try
        {
            var node = JsonNode.Parse(text)!.AsObject();
            IReadOnlyList<float>? Read(string k) => node[k] is JsonArray a ? a.Select(v => v!.GetValue<float>()).ToList() : null;
            return (Read("mean"), Read("std"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (null, null);
        }
    }

    private static double? ExportDiff(RunFolder run, string export)
    {
        string path = run.PathOf(export, ExportFiles.Summary);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("max_abs_diff", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using NasOnnx.Artifacts;
using System.Text.RegularExpressions;
using NasOnnx.Latency;
using NasOnnx.Onnx;
using NasOnnx.Core;

namespace NasOnnx.Reporting.Cards;

/// <summary>
/// Publishes a run's exported model into models/&lt;name&gt;/: model.onnx, architecture.json, model_card.json and the
/// generated model_card.md, a copy of the run's pipeline.lock and the run report when the run has one. The folder
/// is written beside the target and renamed into place, so models/ never holds half a model.
/// </summary>
public static partial class ModelPublisher
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex NamePattern();

    public static (string Folder, ModelCard Card) Publish(RunFolder run, PublishOptions options)
    {
        if (!NamePattern().IsMatch(options.Name))
            throw new NasOnnxException($"'{options.Name}' is not a model name", "use lower-case letters, digits, '.', '_' and '-', e.g. darts-v2-fashion");
        string target = Path.GetFullPath(Path.Combine(options.ModelsDir, options.Name));
        if (Directory.Exists(target) && !options.Force)
            throw new NasOnnxException($"{target} already exists", "pass --force to replace it, or choose another --name") { FilePath = target };

        var sources = CardSources.Find(run, options.ExportStage, options.EvaluationStage, options.BenchmarkStage)
            ?? throw new NasOnnxException("the run has no exported model (no stage wrote model.onnx)", "add an export stage to the pipeline and run it") { FilePath = run.LockPath };
        if (sources.Evaluation is null)
            throw new NasOnnxException($"no evaluate stage measured the ONNX file of stage '{sources.Export}' on the test split",
                $"add `- {{ name: evaluate-onnx, kind: evaluate, inputs: {{ data: <prepare-data stage>, model: {sources.Export} }} }}` to the pipeline and run it again (earlier stages are skipped)")
            { FilePath = run.LockPath };
        BenchmarkResult? measured = null;
        if (sources.Benchmark is null)
        {
            if (!options.MeasureLatency)
                throw new NasOnnxException($"no benchmark stage measured the ONNX file of stage '{sources.Export}'",
                    $"add `- {{ name: benchmark, kind: benchmark, inputs: {{ model: {sources.Export} }} }}` to the pipeline and run it again, or pass --measure-latency to measure it now")
                { FilePath = run.LockPath };
            measured = MeasureNow(run.PathOf(sources.Export, ExportFiles.Model));
        }

        string pipeline = options.Pipeline ?? run.Lock.PipelineFile ?? $"pipeline/{run.Lock.Pipeline}.yaml";
        var card = ModelCardBuilder.Build(run, sources, options.Name, pipeline, options.Description, measured);

        Directory.CreateDirectory(options.ModelsDir);
        string staging = Path.Combine(Path.GetDirectoryName(target)!, $".{options.Name}.staging-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            File.Copy(run.PathOf(sources.Export, ExportFiles.Model), Path.Combine(staging, ExportFiles.Model));
            var meta = OnnxInspector.Inspect(run.PathOf(sources.Export, ExportFiles.Model)).Metadata;
            File.WriteAllText(Path.Combine(staging, ModelCard.ArchitectureFile), ModelCardBuilder.ArchitectureJson(run, sources.Export, meta));
            File.Copy(run.LockPath, Path.Combine(staging, ModelCard.LockCopyFile));
            if (File.Exists(run.PathOf(sources.Export, ExportFiles.Vocabulary)))
                File.Copy(run.PathOf(sources.Export, ExportFiles.Vocabulary), Path.Combine(staging, ExportFiles.Vocabulary));
            if (run.StagesWith(ModelCard.ReportFile).LastOrDefault() is { } report)
                File.Copy(run.PathOf(report, ModelCard.ReportFile), Path.Combine(staging, ModelCard.ReportFile));
            card.Save(staging);
            AtomicWrite.PublishFolder(staging, target);
        }
        catch
        {
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); } catch (IOException) { }
            throw;
        }
        return (target, card);
    }

    private static BenchmarkResult MeasureNow(string onnx)
    {
        var options = new BenchmarkOptions { Threads = 1, Batch = 1, Warmup = 30, Runs = 300 };
        string load = DeviceFingerprint.LoadAverageText();
        var m = LatencyHarness.Measure(onnx, options);
        return new BenchmarkResult(m.Stats.P50, m.Stats.P90, options.Threads, options.Batch, m.Stats.Runs, m.Fingerprint.ToString(), m.Fingerprint.Id, load);
    }
}

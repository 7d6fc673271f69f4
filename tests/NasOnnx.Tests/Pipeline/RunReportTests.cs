using NasOnnx.Artifacts;
using System.Xml.Linq;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Plots;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The run report's sections, through the real runner and the real report, evaluate, benchmark and profile-latency
/// stages. What a search or training would leave (plots, a trained model) is put in place by a cheap stage that
/// copies prepared files, so the test needs no training: a real ONNX file with random weights stands in for the
/// exported model.
/// </summary>
public class RunReportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Report_has_lock_reproduce_search_pareto_curves_and_a_model_card_with_latency_and_prediction()
    {
        var (file, archId) = FakeRunProject.Create(_dir);
        var registry = FakeRunProject.Registry();
        var runner = new PipelineRunner(registry, new CollectingLog());
        var first = runner.Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(first.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var doc = ReportChecks.AssertWellFormed(_dir["runs/rep/report"], minFigures: 3);
        var h2 = doc.Descendants("h2").Select(h => h.Value).ToList();
        Assert.Equal(["Reproduce", "Pipeline and lock", "Search progress", "Pareto front", "Training curves", "Model card"], h2.Take(6));
        Assert.Equal("nasonnx run pipeline/rep.yaml", ReportChecks.SectionText(doc, "Reproduce").Split('\n')[0]);
        string stages = ReportChecks.SectionText(doc, "Pipeline and lock");
        Assert.Contains("ran (it has not run before)", stages);
        Assert.Matches("SHA-256 [0-9a-f]{64}", stages);
        Assert.Contains("pareto.csv", ReportChecks.SectionText(doc, "Pareto front"));
        Assert.Single(doc.Descendants("caption"), c => c.Value == "search/pareto.csv");
        string card = ReportChecks.SectionText(doc, "Model card");
        Assert.Contains(archId, card);
        Assert.Contains("ONNX Runtime on model.onnx (stage evaluate-onnx)", card);
        Assert.Contains("(stage bench, 1 thread(s), batch 1)", card);
        Assert.Contains("predicted latency", card);
        Assert.Contains("decisions of the architecture", card);
        // Figures shown in their own sections are not repeated under the stage that wrote them.
        Assert.Equal(3, doc.Descendants("img").Count(i => i.Attribute("alt")!.Value.Contains("search:") || i.Attribute("alt")!.Value.Contains("retrain")));

        // Second run: one param changed with --set. The report says what re-ran and why, and the command carries the override.
        var second = runner.Run(new PipelineParser(registry).ParseFile(file), new RunOptions { Sets = ["bench.runs=6"] });
        Assert.Equal(StageOutcome.Skipped, second.Stages.Single(s => s.Stage == "evaluate-onnx").Outcome);
        Assert.Equal(StageOutcome.Ran, second.Stages.Single(s => s.Stage == "bench").Outcome);
        doc = ReportChecks.AssertWellFormed(_dir["runs/rep/report"], minFigures: 3);
        Assert.Equal("nasonnx run pipeline/rep.yaml --set bench.runs=6", ReportChecks.SectionText(doc, "Reproduce").Split('\n')[0]);
        var rows = StageRows(doc);
        Assert.Equal("skipped (up to date)", rows["evaluate-onnx"]);
        Assert.Equal("ran (its params changed)", rows["bench"]);
        var lockFile = LockFile.Load(_dir["runs/rep/pipeline.lock"], "rep");
        Assert.Equal(["bench.runs=6"], lockFile.Stages["bench"].Sets);
        Assert.Empty(lockFile.Stages["export"].Sets);
        Assert.Equal("pipeline/rep.yaml", lockFile.PipelineFile);
    }

    [Fact]
    public void Report_of_a_run_without_search_model_or_benchmark_has_only_the_lock_sections()
    {
        LearnableData.Write(_dir["data/tiny"], train: 100, test: 50);
        string file = _dir.Write("pipeline/bare.yaml", """
            name: bare
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny }
              - name: report
                kind: report
            """);
        var registry = StageCatalog.CreateRegistry();
        new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions { Sets = ["data.validation_fraction=0.2"] });
        var doc = ReportChecks.AssertWellFormed(_dir["runs/bare/report"], minFigures: 0);
        Assert.Equal(["Reproduce", "Pipeline and lock", "Stage data (prepare-data)"], doc.Descendants("h2").Select(h => h.Value));
        Assert.StartsWith("nasonnx run pipeline/bare.yaml --set data.validation_fraction=0.2", ReportChecks.SectionText(doc, "Reproduce"));
    }

    /// <summary>stage -> the "this run" column of the stages table.</summary>
    private static Dictionary<string, string> StageRows(XDocument doc)
    {
        var table = doc.Descendants("h2").First(h => h.Value == "Pipeline and lock").ElementsAfterSelf("table").First();
        var header = table.Elements("tr").First().Elements("th").Select(t => t.Value).ToList();
        int col = header.IndexOf("this run");
        return table.Elements("tr").Skip(1).ToDictionary(r => r.Elements("td").First().Value, r => r.Elements("td").ElementAt(col).Value);
    }
}

/// <summary>
/// A project whose pipeline (pipeline/rep.yaml) runs the real prepare-data, evaluate, benchmark, profile-latency and
/// report stages around "files" stages that publish prepared outputs of a search, a training and an export (a real
/// ONNX file with random weights), so report and publish tests need no training.
/// </summary>
public static class FakeRunProject
{
    /// <summary>Test stage: publishes the files of the folder named by its `from` param (what a heavier stage would have written).</summary>
    public sealed class FilesStage : IStage
    {
        public string Kind => "files";
        public string Description => "test stage: copies prepared files";
        public int Version => 1;
        public IReadOnlyList<ParamSpec> Params { get; } = [ParamSpec.Str("from", null, "folder to copy")];
        public IReadOnlyList<InputSpec> Inputs { get; } = [];

        public void Run(StageContext context)
        {
            foreach (var f in Directory.EnumerateFiles(context.ResolvePath(context.RequiredString("from"))))
                File.Copy(f, context.OutputPath(Path.GetFileName(f)));
        }
    }

    private static readonly SpaceOptions ChainOptions = new(1, 28, 10, Width: 4, Depth: 1);

    /// <summary>Writes the prepared files; returns the ArchId of the model.</summary>
    private static string Fixtures(TempDir _dir)
    {
        foreach (var folder in new[] { "search", "retrain", "export" }) Directory.CreateDirectory(_dir["fixtures/" + folder]);
        SearchPlot.Write(_dir["fixtures/search/search_progress.png"], [0.2, 0.5, 0.4, 0.6], "accuracy", "search");
        SearchPlot.Write(_dir["fixtures/search/pareto.png"], [0.6, 0.5], "accuracy", "pareto");
        _dir.Write("fixtures/search/pareto.csv", "arch_id,accuracy,latency_ms\naaa,0.6,0.4\nbbb,0.5,0.2\n");
        SearchPlot.Write(_dir["fixtures/retrain/curves.png"], [0.3, 0.5], "accuracy", "curves");
        _dir.Write("fixtures/retrain/epochs.csv", "epoch,train_loss\n1,2.0\n2,1.5\n");

        TorchRuntime.Initialize(threads: 1);
        var arch = SpaceRegistry.Create("chain", ChainOptions).Sample(new Random(3));
        ArchitectureExporter.ExportRandom(arch, seed: 1, _dir["fixtures/export/model.onnx"], new ExportOptions
        {
            Dataset = "fashion-mnist", NormalizationMean = [0.3f], NormalizationStd = [0.35f],
        });
        File.WriteAllText(_dir["fixtures/export/architecture.json"], arch.ToJson());
        _dir.Write("fixtures/export/export.json", "{\"max_abs_diff\": 1e-6}");
        return arch.ArchId;
    }

    /// <summary>Writes learnable data, the fixtures and pipeline/rep.yaml; returns the pipeline file and the ArchId.</summary>
    public static (string File, string ArchId) Create(TempDir dir, bool benchmark = true)
    {
        LearnableData.Write(dir["data/tiny"], train: 300, test: 100);
        string archId = Fixtures(dir);
        string bench = benchmark ? "\n" + """
              - name: bench
                kind: benchmark
                inputs: { model: export }
                params: { warmup: 1, runs: 5 }
            """ : "";
        string file = dir.Write("pipeline/rep.yaml", """
            name: rep
            seed: 4
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: search
                kind: files
                params: { from: fixtures/search }
              - name: retrain
                kind: files
                params: { from: fixtures/retrain }
              - name: export
                kind: files
                params: { from: fixtures/export }
              - name: evaluate-onnx
                kind: evaluate
                inputs: { data: data, model: export }
            """ + bench + "\n" + """
              - name: profile
                kind: profile-latency
                inputs: { data: data }
                params: { space: chain, width: 4, depth: 1, warmup: 1, runs: 3, rounds: 1, calibration_models: 2 }
              - name: report
                kind: report
            """);
        return (file, archId);
    }

    public static StageRegistry Registry() => new([.. StageCatalog.All(), new FilesStage()]);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NasOnnx.Pipeline;
using NasOnnx.Search;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>
/// The evolution-fashion pipeline in miniature on learnable generated data: prepare-data -> search (evolution,
/// real stand-alone training) -> derive -> retrain -> evaluate -> export -> evaluate the ONNX file; and the search
/// stage SIGKILLed in the real CLI resumes to the same search.json and search_log.csv as an unkilled run.
/// </summary>
public class EvolutionPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static string Project(TempDir dir, string name, string strategy = "evolution", int trials = 4, bool searchOnly = false)
    {
        string rest = searchOnly ? "" : """

              - name: derive
                kind: derive
                inputs: { search: search }
              - name: retrain
                kind: retrain
                inputs: { data: data, arch: derive }
                params: { epochs: 3, batch_size: 32, lr: 0.05 }
              - name: evaluate
                kind: evaluate
                inputs: { data: data, model: retrain }
              - name: export
                kind: export
                inputs: { model: retrain, data: data, evaluation: evaluate }
              - name: evaluate-onnx
                kind: evaluate
                inputs: { data: data, model: export }
            """;
        LearnableData.Write(dir["data/tiny"], train: 1000, test: 200);
        return dir.Write($"pipeline/{name}.yaml", $$"""
            name: {{name}}
            seed: 5
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: search
                kind: search
                inputs: { data: data }
                params: { space: macro, width: 4, depth: 3, strategy: {{strategy}}, trials: {{trials}}, population: 2, sample: 2, crossover: 0.5,
                          trial_epochs: 1, trial_data_fraction: 0.5, trial_batch_size: 32, trial_lr: 0.05 }
            """ + rest);
    }

    [Theory]
    [InlineData("evolution-fashion", "data,search,derive,retrain,evaluate,export,evaluate-onnx,report")]
    [InlineData("darts-fashion", "data,search,derive,retrain,evaluate,export,evaluate-onnx,report")]
    [InlineData("darts-random-baseline", "data,retrain-random1,eval-random1,retrain-random2,eval-random2,retrain-random3,eval-random3,retrain-random4,eval-random4,retrain-random5,eval-random5,report")]
    [InlineData("spos-rank-check", "data,search")]
    [InlineData("skip-collapse", "data,search,derive-uncapped,derive-capped,retrain-uncapped,eval-uncapped,retrain-capped,eval-capped")]
    [InlineData("quickstart", "data,profile,search,derive,retrain,evaluate,export,evaluate-onnx,benchmark,report")]
    [InlineData("latency-constrained", "data,profile,search,derive,retrain,evaluate,export,evaluate-onnx,benchmark,report")]
    [InlineData("latency-random-baseline", "data,profile,search,derive,retrain,evaluate,export,evaluate-onnx,benchmark,report")]
    [InlineData("evolution-vs-random", "data,search,derive,retrain-derived,eval-derived,retrain-random1,eval-random1,retrain-random2,eval-random2,retrain-random3,eval-random3,retrain-random4,eval-random4,retrain-random5,eval-random5")]
    public void Shipped_search_pipelines_parse_and_their_architectures_load(string name, string stages)
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "NasOnnx.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no NasOnnx.sln above the tests");
        var registry = StageCatalog.CreateRegistry();
        var pipeline = new PipelineParser(registry).ParseFile(Path.Combine(dir, "pipeline", name + ".yaml"));
        Assert.Equal(stages.Split(','), pipeline.Stages.Select(s => s.Name));
        for (int i = 1; i <= 5 && name == "evolution-vs-random"; i++)
            Assert.Equal("macro", NasOnnx.Spaces.SpaceRegistry.Load(Path.Combine(dir, "pipeline", "archs", $"macro-random{i}.json")).Space);
        for (int i = 1; i <= 5 && name == "darts-random-baseline"; i++)
            Assert.Equal("darts", NasOnnx.Spaces.SpaceRegistry.Load(Path.Combine(dir, "pipeline", "archs", $"darts-random{i}.json")).Space);
    }

    private static double Accuracy(string metricsCsv) =>
        double.Parse(File.ReadAllLines(metricsCsv)[1].Split(',')[0], CultureInfo.InvariantCulture);

    [Fact]
    public void Tiny_evolution_pipeline_searches_derives_retrains_and_exports()
    {
        string file = Project(_dir, "evo", trials: 5);
        var registry = StageCatalog.CreateRegistry();
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var outcome = SearchOutcome.Load(_dir["runs/evo/search"]);
        Assert.Equal("evolution", outcome.Strategy);
        Assert.Equal(5, outcome.Evaluations);
        Assert.InRange(outcome.BestObjectives["accuracy"], 0.2, 1.0);
        Assert.True(outcome.BestObjectives["params"] > 0 && outcome.BestObjectives["macs"] > 0);
        var log = File.ReadAllLines(_dir["runs/evo/search/search_log.csv"]);
        Assert.Equal(6, log.Length);
        Assert.Equal(5, log.Skip(1).Select(l => l.Split(',')[2]).Distinct().Count());
        Assert.True(File.Exists(_dir["runs/evo/search/search_progress.png"]));
        Assert.False(Directory.Exists(_dir["runs/evo/.work/search"]), "the state folder is removed once the stage completed");

        // derive (auto = best evaluated) -> the architecture retrained and exported
        var derived = JsonNode.Parse(File.ReadAllText(_dir["runs/evo/derive/architecture.json"]))!;
        Assert.Equal(JsonNode.Parse(outcome.Best.GetProperty("layers").GetRawText())!.ToJsonString(), derived["layers"]!.ToJsonString());
        double torchAcc = Accuracy(_dir["runs/evo/evaluate/metrics.csv"]);
        double onnxAcc = Accuracy(_dir["runs/evo/evaluate-onnx/metrics.csv"]);
        Assert.True(torchAcc > 0.3, $"test accuracy {torchAcc}");
        Assert.True(Math.Abs(torchAcc - onnxAcc) <= 0.001, $"TorchSharp {torchAcc} vs ONNX Runtime {onnxAcc}");
    }

    [Fact]
    public void A_search_starts_from_its_initial_architectures_whose_files_are_part_of_the_stage_key()
    {
        string file = Project(_dir, "seeded", trials: 4, searchOnly: true);
        File.WriteAllText(file, File.ReadAllText(file).Replace("trial_lr: 0.05 }",
            "trial_lr: 0.05,\n                          initial_architectures: [archs/seed.json], initial_mutations: 1, halving_epochs: [1, 2], halving_eta: 2,\n" +
            "                          trial_crop_padding: 1, trial_flip: on, trial_label_smoothing: 0.1, trial_augment_from_rung: 2 }"));
        string seedFile = _dir.Write("archs/seed.json", """
            { "space": "macro", "layers": [ { "op": "conv_3x3", "width": 4, "skips": [] }, { "op": "conv_1x1", "width": 8, "skips": [0] },
                                            { "op": "conv_3x3", "width": 8, "skips": [] } ] }
            """);
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var space = NasOnnx.Spaces.SpaceRegistry.Create("macro", SearchOutcome.Load(_dir["runs/seeded/search"]).SpaceOptions!);
        string seedId = Assert.Single(InitialArchitectures.Load(space, [seedFile])).ArchId;
        var rows = File.ReadAllLines(_dir["runs/seeded/search/search_log.csv"]);
        Assert.Equal(seedId, rows[1].Split(',')[2]);
        Assert.Equal(seedId, rows[2].Split(',')[4]); // trial 2 is a mutation of the seed (its parent)
        Assert.Contains(log.Lines, l => l.Contains($"initial architecture {seedId} from {seedFile}: evaluated first"));
        var entry = LockFile.Load(_dir["runs/seeded/pipeline.lock"], "").Stages["search"];
        Assert.Equal(ContentHash.OfFile(seedFile), entry.Dependencies[Path.GetFullPath(seedFile)]);

        // an edited seed file re-runs the search (its trials are not resumed from the old seed's)
        File.WriteAllText(seedFile, File.ReadAllText(seedFile).Replace("\"conv_1x1\"", "\"conv_3x3\""));
        var again = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.Equal(StageOutcome.Ran, again.Stages.Single(s => s.Stage == "search").Outcome);

        // a one-shot strategy has no trials to start from
        File.WriteAllText(file, File.ReadAllText(file).Replace("strategy: evolution", "strategy: darts"));
        var e = Assert.Throws<NasOnnxException>(() => new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions()));
        Assert.Contains("initial_architectures are evaluated first by a multi-trial search; strategy 'darts' trains one supernet", e.Message);
        Assert.Equal("search", e.Stage);
    }

    private static string WithoutSeconds(string searchJson)
    {
        var node = JsonNode.Parse(searchJson)!.AsObject();
        node.Remove("seconds");
        return node.ToJsonString();
    }

    [Theory]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void Search_killed_in_the_cli_resumes_to_the_same_result_as_an_unkilled_run(string strategy)
    {
        const int trials = 6;
        // the unkilled reference, in its own project folder
        using var refDir = new TempDir();
        Project(refDir, "k", strategy, trials, searchOnly: true);
        var (code, output) = CliProcess.Run(refDir.Path, "run", "pipeline/k.yaml");
        Assert.True(code == 0, output);

        Project(_dir, "k", strategy, trials, searchOnly: true);
        string state = _dir["runs/k/.work/search/state/search_state.json"];
        using (var p = CliProcess.Start(_dir.Path, "run", "pipeline/k.yaml"))
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (File.Exists(state) && JsonNode.Parse(File.ReadAllText(state))!["trials"]!.AsArray().Count >= 2) break;
                if (p.HasExited) Assert.Fail("the run ended before it could be killed: " + p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd());
                Thread.Sleep(20);
            }
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.False(Directory.Exists(_dir["runs/k/search"]), "no search output after the kill");
        int done = JsonNode.Parse(File.ReadAllText(state))!["trials"]!.AsArray().Count;
        Assert.InRange(done, 2, trials - 1);

        (code, output) = CliProcess.Run(_dir.Path, "run", "pipeline/k.yaml");
        Assert.True(code == 0, output);
        Assert.Contains($"resuming the search: {done} of {trials} trials done", output);
        Assert.Equal(File.ReadAllText(refDir["runs/k/search/search_log.csv"]), File.ReadAllText(_dir["runs/k/search/search_log.csv"]));
        Assert.Equal(WithoutSeconds(File.ReadAllText(refDir["runs/k/search/search.json"])), WithoutSeconds(File.ReadAllText(_dir["runs/k/search/search.json"])));
    }
}

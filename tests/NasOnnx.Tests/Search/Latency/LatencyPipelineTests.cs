using System.Globalization;
using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Search;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Search.Latency;

/// <summary>
/// pipeline/latency-constrained.yaml in miniature on learnable generated data, with a real profile-latency stage:
/// an unreachable target fails at the start of the search (first run) and before any stage (re-run); a reachable one
/// runs search (pre-rejection, measured finalists) -> derive -> retrain -> export (measured latency in the metadata)
/// -> benchmark (target verdict) -> report (model card with p50/p90 and the device).
/// </summary>
public class LatencyPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Project()
    {
        LearnableData.Write(_dir["data/tiny"], train: 600, test: 150);
        return _dir.Write("pipeline/lc.yaml", """
            name: lc
            seed: 3
            defaults: { threads: 1, latency_target: 1000.0 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: profile
                kind: profile-latency
                inputs: { data: data }
                params: { space: chain, width: 4, depth: 1, warmup: 1, runs: 3, rounds: 1, calibration_models: 3 }
              - name: search
                kind: search
                inputs: { data: data, latency: profile }
                params: { space: chain, width: 4, depth: 1, strategy: evolution, trials: 3, population: 2, sample: 2,
                          objective: accuracy-latency, latency_constraint: hard, final_candidates: 2, latency_runs: 5,
                          trial_epochs: 1, trial_data_fraction: 0.5, trial_batch_size: 32, trial_lr: 0.05 }
              - name: derive
                kind: derive
                inputs: { search: search }
              - name: retrain
                kind: retrain
                inputs: { data: data, arch: derive }
                params: { epochs: 1, batch_size: 32, lr: 0.05 }
              - name: export
                kind: export
                inputs: { model: retrain, data: data, latency: search }
              - name: benchmark
                kind: benchmark
                inputs: { model: export }
                params: { runs: 20, warmup: 2, enforce_target: false }
              - name: report
                kind: report
            """);
    }

    private static RunResult Run(string file, CollectingLog log, params string[] sets)
    {
        var registry = StageCatalog.CreateRegistry();
        return new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions { Sets = sets });
    }

    [Fact]
    public void Latency_constrained_pipeline_end_to_end()
    {
        string file = Project();

        // 1. First run, unreachable target: data and profile run, the search stops before training anything.
        var log = new CollectingLog();
        var e = Assert.Throws<NasOnnxException>(() => Run(file, log, "latency_target=0.0001"));
        Assert.Equal("search", e.Stage);
        Assert.Contains("unreachable", e.Message);
        Assert.DoesNotContain(log.Lines, l => l.Contains("trial 1:", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_dir["runs/lc/.work/search/state/trials"]), "nothing was trained");
        var predictor = SpaceLatency.LoadPredictor(_dir["runs/lc/profile"], out var space);
        var fastest = FastestArchitecture.Find(space, predictor);
        Assert.Contains($"predicted at {fastest.Ms.ToString("0.000", CultureInfo.InvariantCulture)} ms", e.Message);
        Assert.Contains("latency_target", e.Fix);

        // 2. Re-run: the published predictor refuses the target before any stage runs.
        log = new CollectingLog();
        e = Assert.Throws<NasOnnxException>(() => Run(file, log, "latency_target=0.0001"));
        Assert.Contains("checked before any stage ran", e.Message);
        Assert.Contains($"{fastest.Ms.ToString("0.000", CultureInfo.InvariantCulture)} ms", e.Message);
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("- ", StringComparison.Ordinal) || l.StartsWith("> ", StringComparison.Ordinal));

        // 3. A reachable target that rejects part of the space: the whole pipeline runs.
        var rng = new Random(1);
        double target = LatencyStats.Median(Enumerable.Range(0, 100).Select(_ => predictor.PredictMs(space.Sample(rng))));
        string t = target.ToString("R", CultureInfo.InvariantCulture);
        log = new CollectingLog();
        var result = Run(file, log, $"latency_target={t}");
        Assert.Equal(["data", "profile"], result.Stages.Where(s => s.Outcome == StageOutcome.Skipped).Select(s => s.Stage));

        var outcome = SearchOutcome.Load(_dir["runs/lc/search"]);
        Assert.Equal(3, outcome.Evaluations);
        var payload = outcome.Payload!.Value;
        Assert.True(payload.GetProperty("rejections").GetInt32() >= 0);
        var trials = File.ReadAllLines(_dir["runs/lc/search/search_log.csv"]);
        int latencyCol = Array.IndexOf(trials[0].Split(','), "latency_ms");
        Assert.True(latencyCol > 0, trials[0]);
        Assert.All(trials.Skip(1), l => Assert.True(double.Parse(l.Split(',')[latencyCol], CultureInfo.InvariantCulture) <= target, "pre-rejected over the target"));
        var finals = File.ReadAllLines(_dir["runs/lc/search/final_candidates.csv"]);
        Assert.Equal(3, finals.Length);
        double p50 = outcome.BestObjectives["measured_p50_ms"];
        Assert.True(p50 > 0);
        Assert.Equal(payload.GetProperty("final").GetProperty("meets_target").GetBoolean(), finals.Skip(1).Any(l => l.EndsWith(",true", StringComparison.Ordinal)));

        // the winner is derived, retrained and exported with its measured latency in the metadata
        var derived = SpaceRegistry.Load(_dir["runs/lc/derive/architecture.json"]);
        Assert.Equal(SpaceRegistry.Parse(outcome.Best.GetRawText()).ArchId, derived.ArchId);
        var info = OnnxInspector.Inspect(_dir["runs/lc/export/model.onnx"]);
        Assert.Equal(p50, double.Parse(info.Metadata[OnnxExporter.Keys.LatencyMs], CultureInfo.InvariantCulture), 12);
        Assert.Contains("thread", info.Metadata["nasonnx.latency_device"]);
        Assert.Equal("search final candidates", info.Metadata["nasonnx.latency_source"]);

        // the benchmark measured the delivered model against the same target; the report's model card shows it
        using var bench = JsonDocument.Parse(File.ReadAllText(_dir["runs/lc/benchmark/latency.json"]));
        Assert.Equal(target, bench.RootElement.GetProperty("latency_target_ms").GetDouble(), 12);
        Assert.Equal(bench.RootElement.GetProperty("record").GetProperty("p50_ms").GetDouble() <= target, bench.RootElement.GetProperty("meets_target").GetBoolean());
        string report = File.ReadAllText(_dir["runs/lc/report/report.md"]);
        Assert.Contains("| measured latency | p50 ", report);
        Assert.Contains("| device | ", report);
        // the verdict is whatever the benchmark measured: a wall-clock p50 on a shared machine can land either side of T
        string verdict = bench.RootElement.GetProperty("meets_target").GetBoolean() ? "met" : "MISSED";
        Assert.Contains($"| latency target | {target.ToString("0.###", CultureInfo.InvariantCulture)} ms: {verdict}", report);
        // and the model card beside the report carries the same measurement
        using var card = JsonDocument.Parse(File.ReadAllText(_dir["runs/lc/report/model_card.json"]));
        Assert.Equal(bench.RootElement.GetProperty("record").GetProperty("p50_ms").GetDouble(), card.RootElement.GetProperty("latency_p50_ms").GetDouble(), 4); // the card keeps 4 decimals

        // 4. The benchmark enforces the target: a tighter one fails the stage with the measurement in the message.
        log = new CollectingLog();
        var miss = Assert.Throws<NasOnnxException>(() => Run(file, log, $"latency_target={t}", "benchmark.latency_target=0.000001", "benchmark.enforce_target=true"));
        Assert.Equal("benchmark", miss.Stage);
        Assert.Contains("misses its latency target", miss.Message);
        Assert.Contains("p50", miss.Message);
    }

    [Theory]
    [InlineData("latency-constrained")]
    [InlineData("latency-random-baseline")]
    public void Shipped_latency_pipelines_parse(string name)
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "NasOnnx.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no NasOnnx.sln above the tests");
        var registry = StageCatalog.CreateRegistry();
        var pipeline = new PipelineParser(registry).ParseFile(Path.Combine(dir, "pipeline", name + ".yaml"));
        Assert.Equal(["data", "profile", "search", "derive", "retrain", "evaluate", "export", "evaluate-onnx", "benchmark", "report"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal(name == "latency-constrained" ? "evolution" : "random", pipeline.Stage("search").Params["strategy"].Value);
        Assert.True(pipeline.Defaults.ContainsKey("latency_target"));
    }
}

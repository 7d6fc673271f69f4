using NasOnnx.Cli.Commands;
using NasOnnx.Latency;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Tests.Onnx;
using NasOnnx.Tests.Pipeline;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Latency;

/// <summary>The harness, the cache and the latency stages on tiny models with few runs. No test asserts a wall-clock limit.</summary>
public sealed class HarnessTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SpaceOptions Tiny = new(1, 8, 10, 4, 1);
    private static readonly BenchmarkOptions Few = new() { Warmup = 1, Runs = 3 };

    private string TinyModel(string space = "chain", int seed = 1)
    {
        OnnxTestKit.Init();
        var arch = SpaceRegistry.Create(space, Tiny).Sample(new Random(seed));
        string path = _dir[$"{space}-{seed}.onnx"];
        ArchitectureExporter.ExportRandom(arch, seed, path);
        return path;
    }

    [Fact]
    public void Measures_a_model_with_fingerprint_and_statistics()
    {
        string model = TinyModel();
        var m = LatencyHarness.Measure(model, Few with { Runs = 7 });
        Assert.Equal(7, m.Stats.Runs);
        Assert.Equal(7, m.Samples.Count);
        Assert.True(m.Stats.P50 > 0 && m.Stats.Min <= m.Stats.P50 && m.Stats.P50 <= m.Stats.P90 && m.Stats.P90 <= m.Stats.Max);
        Assert.Equal("cpu", m.Fingerprint.ExecutionProvider);
        Assert.Equal(OnnxExporter.Opset, m.Fingerprint.Opset);
        Assert.Equal(Environment.ProcessorCount, m.Fingerprint.LogicalCores);
        Assert.False(string.IsNullOrWhiteSpace(m.Fingerprint.CpuModel));
        Assert.Equal(DeviceFingerprint.ReadOrtVersion(), m.Fingerprint.OrtVersion);

        var batched = LatencyHarness.Measure(model, Few with { Batch = 3 });
        Assert.Equal(3, batched.Fingerprint.Batch);
        Assert.NotEqual(m.Fingerprint.Id, batched.Fingerprint.Id);
    }

    [SkippableFact]
    public void Cuda_without_a_gpu_fails_with_a_clear_message()
    {
        Skip.If(File.Exists("/dev/nvidia0"), "this machine has a GPU (/dev/nvidia0): the CUDA provider may run, so there is no failure to check");
        string model = TinyModel();
        var e = Assert.Throws<NasOnnxException>(() => LatencyHarness.Measure(model, Few with { ExecutionProvider = ExecutionProviderKind.Cuda }));
        Assert.Contains("CUDA execution provider", e.Message);
        Assert.Contains("--ep cpu", e.Fix);
    }

    [Fact]
    public void Cpu_clock_needs_one_thread()
    {
        var e = Assert.Throws<NasOnnxException>(() => (Few with { Clock = LatencyClock.ThreadCpu, Threads = 2 }).Validate());
        Assert.Contains("1 thread", e.Message);
    }

    [Fact]
    public void Profiling_caches_the_table_and_a_second_build_measures_nothing()
    {
        var space = new ChainSpace(Tiny);
        var model = SpaceLatency.Model(space, 1);
        string cache = _dir["cache"];
        var first = LatencyProfiler.Profile(model, Few, cache);
        int measurable = model.Candidates().Count(c => !c.EmitsNothing);
        Assert.Equal(measurable, first.Measured);
        Assert.Equal(0, first.Reused);
        Assert.True(File.Exists(first.CachePath));
        Assert.Equal(Path.Combine(cache, first.Table.Fingerprint.Id + ".json"), first.CachePath);

        var second = LatencyProfiler.Profile(model, Few, cache);
        Assert.Equal(0, second.Measured);
        Assert.Equal(measurable, second.Reused);
        Assert.Equal(first.Table.Entries.Select(e => (e.Key, e.Ms)), second.Table.Entries.Select(e => (e.Key, e.Ms)));

        // Another fingerprint (batch 2) is another table; another size of the same space only measures the new keys.
        var batch2 = LatencyProfiler.Profile(SpaceLatency.Model(space, 2), Few with { Batch = 2 }, cache);
        Assert.Equal(measurable, batch2.Measured);
        var wider = new ChainSpace(Tiny with { Resolution = 16 });
        var third = LatencyProfiler.Profile(SpaceLatency.Model(wider, 1), Few, cache);
        Assert.True(third.Measured > 0 && third.Reused == 0 || third.Reused > 0);
        Assert.Equal(SpaceLatency.Model(wider, 1).Candidates().Count(c => !c.EmitsNothing), third.Measured + third.Reused);
        Assert.Equal(2, Directory.GetFiles(cache, "*.json").Length);

        // The cached table predicts every architecture of the space.
        var predictor = new LatencyPredictor(second.Table, model, LatencyCalibration.Identity);
        Assert.True(predictor.PredictMs(space.Sample(new Random(2))) > 0);
    }

    [Theory]
    [InlineData("nb201")]
    [InlineData("darts")]
    public void Every_candidate_op_exports_with_its_key_shapes(string space)
    {
        OnnxTestKit.Init();
        var s = SpaceRegistry.Create(space, space == "darts" ? new SpaceOptions(1, 8, 10, 4, 3) : Tiny);
        foreach (var op in SpaceLatency.Model(s, 1).Candidates().Where(c => !c.EmitsNothing))
            Assert.NotEmpty(LatencyProfiler.SingleOpModel(op, 1)); // throws when the module's output differs from the key
    }

    [Fact]
    public void Differential_entries_subtract_the_single_op_model()
    {
        OnnxTestKit.Init();
        var space = new ChainSpace(Tiny);
        var model = SpaceLatency.Model(space, 1);
        var keeping = model.Candidates().First(c => c.Key.Op == "mbconv" && c.Key.Input == c.Key.Output);
        var once = global::Onnx.ModelProto.Parser.ParseFrom(LatencyProfiler.SingleOpModel(keeping, 1));
        var twice = global::Onnx.ModelProto.Parser.ParseFrom(LatencyProfiler.SingleOpModel(keeping, 1, repeat: 2));
        Assert.Equal(2 * once.Graph.Node.Count, twice.Graph.Node.Count);

        var wide = model.Candidates().First(c => c.Key.Input != c.Key.Output && OpKey.Dims(c.Key.Input)[1] >= LatencyProfiler.ContextMinChannels);
        var context = global::Onnx.ModelProto.Parser.ParseFrom(LatencyProfiler.ContextModel(wide, 1, withOp: false));
        var contextAndOp = global::Onnx.ModelProto.Parser.ParseFrom(LatencyProfiler.ContextModel(wide, 1, withOp: true));
        var alone = global::Onnx.ModelProto.Parser.ParseFrom(LatencyProfiler.SingleOpModel(wide, 1));
        Assert.Equal(context.Graph.Node.Count + alone.Graph.Node.Count, contextAndOp.Graph.Node.Count);

        var result = LatencyProfiler.Profile(model, Few, _dir["cache"]);
        Assert.Equal(LatencyProfiler.Differential, result.Table.Fingerprint.TableMethod);
        Assert.All(result.Table.Entries, e => Assert.Equal(Math.Max(0, e.RawMs!.Value - e.BaselineMs!.Value), e.Ms, 12));
        // Ops on the image (the stem) are measured against the empty model of their chunk; the others against their own reference.
        var narrow = result.Table.Entries.Where(e => e.Input != e.Output && OpKey.Dims(e.Input)[1] < LatencyProfiler.ContextMinChannels).ToArray();
        Assert.NotEmpty(narrow);
        int chunks = (model.Candidates().Count(c => !c.EmitsNothing) + LatencyProfiler.Chunk - 1) / LatencyProfiler.Chunk;
        Assert.InRange(narrow.Select(e => e.BaselineMs).Distinct().Count(), 1, chunks);

        var single = LatencyProfiler.Profile(model, Few, _dir["cache"], differential: false);
        Assert.NotEqual(result.Table.Fingerprint.Id, single.Table.Fingerprint.Id);
    }

    private sealed class NoRemaining : IRemainingArguments
    {
        public ILookup<string, string?> Parsed { get; } = Array.Empty<string>().ToLookup(s => s, s => (string?)s);
        public IReadOnlyList<string> Raw { get; } = [];
    }

    [Fact]
    public void Bench_latency_command_prints_and_writes_csv()
    {
        string model = TinyModel();
        var console = new TestConsole().Width(200);
        string csv = _dir["bench.csv"];
        var settings = new BenchLatencyCommand.Settings { Model = model, Runs = 5, Warmup = 1, Csv = csv };
        Assert.True(settings.Validate().Successful);
        Assert.Equal(0, new BenchLatencyCommand(console).Execute(new CommandContext([], new NoRemaining(), "latency", null), settings, CancellationToken.None));
        Assert.Contains("p50", console.Output);
        Assert.Contains("fingerprint", console.Output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(2, lines.Length);
        foreach (var column in new[] { "p50_ms", "p90_ms", "mean_ms", "std_ms", "cpu_model", "logical_cores", "threads", "ort_version", "ep", "batch", "opset", "load1" })
            Assert.Contains(column, lines[0].Split(','));
        Assert.Contains(",chain,", lines[1]);

        var cuda = new BenchLatencyCommand.Settings { Model = model, Runs = 2, Ep = "cuda" };
        if (!File.Exists("/dev/nvidia0"))
            Assert.Throws<NasOnnxException>(() => new BenchLatencyCommand(console).Execute(new CommandContext([], new NoRemaining(), "latency", null), cuda, CancellationToken.None));
        Assert.False(new BenchLatencyCommand.Settings { Model = model, Runs = 0 }.Validate().Successful);
    }

    [Fact]
    public void Bench_latency_repeats_in_separate_processes()
    {
        string model = TinyModel();
        var (code, output) = CliProcess.Run(_dir.Path, "bench", "latency", model, "--runs", "5", "--warmup", "1", "--repeat-processes", "2", "--csv", _dir["repeat.csv"]);
        Assert.True(code == 0, output);
        Assert.Contains("p50 over 2 processes", output);
        Assert.Equal(3, File.ReadAllLines(_dir["repeat.csv"]).Length);
        var (cudaCode, cudaOutput) = CliProcess.Run(_dir.Path, "bench", "latency", model, "--runs", "2", "--ep", "cuda");
        if (!File.Exists("/dev/nvidia0"))
        {
            Assert.Equal(1, cudaCode);
            Assert.Contains("CUDA", cudaOutput); // the console wraps the message
        }
    }

    [Fact]
    public void Benchmark_stage_writes_csv_and_json()
    {
        string exportDir = _dir["runs/export"];
        Directory.CreateDirectory(exportDir);
        File.Copy(TinyModel(), Path.Combine(exportDir, "model.onnx"));
        var outDir = _dir["runs/bench"];
        Directory.CreateDirectory(outDir);
        var stage = new NasOnnx.Pipeline.Stages.BenchmarkStage();
        var ctx = new StageContext
        {
            PipelineName = "t", PipelineFile = _dir["p.yaml"], StageName = "bench", Kind = stage.Kind, OutputDir = outDir, WorkDir = _dir["work"],
            ProjectRoot = _dir.Path, Inputs = new Dictionary<string, string> { ["model"] = exportDir },
            Params = stage.Params.ToDictionary(p => p.Name, p => p.Name == "runs" ? 5L : p.Name == "warmup" ? 1L : p.Default),
            Seed = 1, Log = new CollectingLog(),
        };
        stage.Validate(ctx);
        stage.Run(ctx);
        Assert.True(File.Exists(Path.Combine(outDir, "latency.csv")));
        string json = File.ReadAllText(Path.Combine(outDir, "latency.json"));
        Assert.Contains("\"fingerprint\"", json);
        Assert.Contains("\"p50_ms\"", json);

        var cudaCtx = new StageContext
        {
            PipelineName = ctx.PipelineName, PipelineFile = ctx.PipelineFile, StageName = ctx.StageName, Kind = ctx.Kind, OutputDir = outDir, WorkDir = ctx.WorkDir,
            ProjectRoot = ctx.ProjectRoot, Inputs = ctx.Inputs, Seed = 1, Log = ctx.Log,
            Params = ctx.Params.ToDictionary(kv => kv.Key, kv => kv.Key == "ep" ? "cuda" : kv.Value),
        };
        if (!File.Exists("/dev/nvidia0"))
        {
            var e = Assert.Throws<NasOnnxException>(() => stage.Run(cudaCtx));
            Assert.Equal("bench", e.Stage);
        }
    }

    [Fact]
    public void Profile_and_validate_stages_run_in_a_pipeline_and_reuse_the_cache()
    {
        string file = _dir.Write("pipeline/lat.yaml", """
            name: lat
            seed: 2
            stages:
              - name: profile
                kind: profile-latency
                params: { space: chain, resolution: 8, width: 4, depth: 1, warmup: 1, runs: 3, rounds: 1, calibration_models: 3 }
              - name: validate
                kind: validate-latency
                inputs: { table: profile }
                params: { architectures: 4, warmup: 1, runs: 3, rounds: 1 }
            """);
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new NasOnnx.Pipeline.RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        foreach (var f in new[] { "profile/predictor.json", "profile/latency_table.json", "profile/table.csv", "profile/calibration.csv", "profile/profile.json",
                                  "validate/validation.csv", "validate/validation.json", "validate/validation.png" })
            Assert.True(File.Exists(_dir["runs/lat/" + f]), f);
        Assert.Equal(5, File.ReadAllLines(_dir["runs/lat/validate/validation.csv"]).Length);
        Assert.True(new FileInfo(_dir["runs/lat/validate/validation.png"]).Length > 1000);
        Assert.True(Directory.GetFiles(_dir[".nasonnx/latency-cache"], "*.json").Length == 1);

        // The search's view: the predictor and per-choice latencies load from the stage's folder.
        var predictor = SpaceLatency.LoadPredictor(_dir["runs/lat/profile"], out var space);
        var arch = space.Sample(new Random(9));
        var choices = predictor.ChoiceLatencies();
        Assert.Equal(predictor.PredictMs(arch), choices.Of(((IDecisionSpace)space).ToChoices(arch)), 9);

        // Re-running the profile stage (forced) measures nothing new: every op comes from the cache.
        log.Lines.Clear();
        var again = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new NasOnnx.Pipeline.RunOptions { Force = ["profile"] });
        Assert.Contains(log.Lines, l => l.Contains(" 0 to measure", StringComparison.Ordinal));
        string profile = File.ReadAllText(_dir["runs/lat/profile/profile.json"]);
        Assert.Contains("\"measured_now\": 0", profile);
    }
}

using System.Globalization;
using NasOnnx.Latency;
using NasOnnx.Pipeline;
using NasOnnx.Pipeline.Stages;
using NasOnnx.Runtime;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Data;
using NasOnnx.Architectures;
using NasOnnx.Supernets;

namespace NasOnnx.Tests.Search.Latency;

/// <summary>
/// The multi-trial strategies with latency on a real (tiny, 8x8) chain space: a synthetic lookup table stands in for
/// profiling and a scoring function for training, while the final candidates and the Pareto front are really exported
/// and measured with ONNX Runtime.
/// </summary>
public class LatencyStrategyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly SpaceOptions Tiny = new(1, 8, 10, 4, 1);

    public LatencyStrategyTests() => TorchRuntime.Initialize(1);

    public void Dispose() => _dir.Dispose();

    /// <summary>A made-up table entry for every candidate op (deterministic in the key), calibrated x1 + 0.05 ms.</summary>
    public static LatencyPredictor SyntheticPredictor(ISearchSpace space)
    {
        var table = new LatencyTable(new DeviceFingerprint("test cpu", 2, 1, "1.31.0", "cpu", 1, 17, "ORT_ENABLE_ALL"));
        foreach (var op in SpaceLatency.Model(space, 1).Candidates().Where(o => !o.EmitsNothing))
        {
            double ms = 0.01 + op.Key.Id.Aggregate(7L, (h, c) => (h * 31 + c) % 100_003) % 1000 / 10000.0;
            table.Add(op.Key, new LatencyStats(10, ms, ms, ms, 0, ms, ms), null);
        }
        return new LatencyPredictor(table, SpaceLatency.Model(space, 1), new LatencyCalibration(1, 0.05, 3, 0));
    }

    /// <summary>"Training": accuracy grows with the predicted latency (bigger nets learn more), plus a little per-architecture noise.</summary>
    private sealed class ScoredByLatency(LatencyPredictor predictor, bool reportLatency) : IEvaluator
    {
        public int Calls { get; private set; }

        public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
        {
            Calls++;
            double ms = predictor.PredictMs(architecture);
            double noise = architecture.ArchId.Aggregate(0, (h, c) => (h * 31 + c) % 1000) / 1000.0;
            var r = new Dictionary<string, double> { ["accuracy"] = Math.Min(0.99, 0.3 + 0.4 * ms + 0.05 * noise) };
            if (reportLatency) r[Objectives.LatencyMs] = ms;
            return r;
        }
    }

    private SearchContext Context(ISearchSpace space, LatencyPredictor? predictor, params (string Name, object Value)[] overrides)
    {
        var values = new SearchStage().Params.ToDictionary(p => p.Name, p => p.Default);
        values["trials"] = 8L;
        values["population"] = 4L;
        values["sample"] = 2L;
        values["latency_runs"] = 5L;
        foreach (var (name, value) in overrides) values[name] = value;
        string root = _dir[Guid.NewGuid().ToString("N")[..6]];
        var stage = new StageContext
        {
            PipelineName = "t", PipelineFile = "t.yaml", StageName = "search", Kind = "search",
            OutputDir = Path.Combine(root, "out"), WorkDir = Path.Combine(root, "work"), ProjectRoot = _dir.Path,
            Inputs = new Dictionary<string, string>(), Params = values, Seed = 5, Log = new CollectingLog(),
        };
        Directory.CreateDirectory(stage.OutputDir);
        Directory.CreateDirectory(Path.Combine(stage.WorkDir, "state"));
        return new SearchContext
        {
            Params = stage, Log = stage.Log, Seed = stage.Seed, Cancellation = stage.Cancellation, StateDir = Path.Combine(stage.WorkDir, "state"), OutputDir = stage.OutputDir, Space = space, SpaceName = space.Name, SpaceOptions = Tiny, Latency = predictor,
            Data = new Lazy<LoadedData>(() => throw new InvalidOperationException("no data: the evaluator is fake")),
        };
    }

    private static double MedianPredicted(ISearchSpace space, LatencyPredictor predictor)
    {
        var rng = new Random(1);
        return LatencyStats.Median(Enumerable.Range(0, 200).Select(_ => predictor.PredictMs(space.Sample(rng))));
    }

    [Fact]
    public void Pareto_search_writes_the_front_exports_it_and_measures_the_finalists()
    {
        var space = SpaceRegistry.Create("chain", Tiny);
        var predictor = SyntheticPredictor(space);
        double target = MedianPredicted(space, predictor);
        var ctx = Context(space, predictor, ("objective", "pareto"), ("latency_target", target), ("final_candidates", 2L), ("export_front", true), ("trials", 10L));
        var outcome = new EvolutionStrategy { EvaluatorFactory = _ => new ScoredByLatency(predictor, reportLatency: false) }.Run(ctx);

        string Out(string f) => Path.Combine(ctx.OutputDir, f);
        var pareto = File.ReadAllLines(Out("pareto.csv"));
        Assert.Equal("trial,arch_id,accuracy,latency_ms,derived,architecture", pareto[0]);
        int front = pareto.Length - 1;
        Assert.InRange(front, 1, 10);
        Assert.Single(pareto.Skip(1), l => l.Split(',')[4] == "true");
        Assert.True(new FileInfo(Out("pareto.png")).Length > 5000);
        Assert.Equal(front, Directory.GetFiles(Out("front"), "*.onnx").Length);
        var frontIds = pareto.Skip(1).Select(l => l.Split(',')[1]).ToList();
        Assert.All(frontIds, id => Assert.True(File.Exists(Out($"front/{id}.onnx"))));
        // every trial was predicted under the target (pre-rejection), so the whole front is under it
        Assert.All(pareto.Skip(1), l => Assert.True(double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture) <= target));
        // the search log shows the latency of every trial
        var log = File.ReadAllLines(Out(SearchLog.FileName));
        Assert.Contains("latency_ms", log[0].Split(','));
        Assert.Equal(11, log.Length);

        var finals = File.ReadAllLines(Out("final_candidates.csv"));
        Assert.Equal(3, finals.Length);
        // the derived point leads the finalists; the winner is the first that meets the target when measured, else the first
        string derived = pareto.Skip(1).Single(l => l.Split(',')[4] == "true").Split(',')[1];
        Assert.Equal(derived, finals[1].Split(',')[2]);
        string winner = finals.Skip(1).FirstOrDefault(l => l.EndsWith(",true", StringComparison.Ordinal))?.Split(',')[2] ?? derived;
        Assert.Equal(winner, SpaceRegistry.Parse(outcome.Best.GetRawText()).ArchId);
        Assert.True(outcome.BestObjectives["measured_p50_ms"] > 0);
        Assert.True(outcome.Payload!.Value.GetProperty("final").GetProperty("device").GetString()!.Length > 0);
        Assert.Equal(front, outcome.Payload!.Value.GetProperty("pareto").GetArrayLength());
        Assert.True(outcome.Payload!.Value.GetProperty("rejections").GetInt32() > 0);
        // derive takes the measured winner
        Assert.Equal(winner, new EvolutionStrategy().Derive(outcome, space, new DeriveOptions()).ArchId);
    }

    [Fact]
    public void Measured_latency_source_needs_no_predictor_and_logs_latency_ms()
    {
        var space = SpaceRegistry.Create("chain", Tiny);
        var predictor = SyntheticPredictor(space);
        var ctx = Context(space, null, ("objective", "accuracy-latency"), ("latency_source", "measured"), ("latency_target", 100.0),
            ("latency_constraint", "hard"), ("trials", 3L), ("final_candidates", 1L));
        var outcome = new RandomStrategy { EvaluatorFactory = _ => new ScoredByLatency(predictor, reportLatency: false) }.Run(ctx);
        var log = File.ReadAllLines(Path.Combine(ctx.OutputDir, SearchLog.FileName));
        int col = Array.IndexOf(log[0].Split(','), "latency_ms");
        Assert.True(col >= 0, log[0]);
        Assert.DoesNotContain("predicted_latency_ms", log[0]);
        Assert.All(log.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[col], CultureInfo.InvariantCulture), 1e-4, 100));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(ctx.OutputDir, "final_candidates.csv")).Length);
        Assert.Equal(0, outcome.Payload!.Value.GetProperty("rejections").GetInt32());
        Assert.Contains("^hard", outcome.Payload!.Value.GetProperty("objective").GetString());
    }

    [Fact]
    public void Measured_latency_exports_the_trained_network_itself()
    {
        var space = SpaceRegistry.Create("chain", Tiny);
        var arch = space.Sample(new Random(3));
        using var trained = NasOnnx.Spaces.NetworkFactory.BuildRandom(arch, seed: 42);
        trained.train();
        byte[] fromTrained = NasOnnx.Search.Latency.MeasuredLatency.OnnxBytes(arch, trained, seed: 1);
        byte[] fromSeed42 = NasOnnx.Search.Latency.MeasuredLatency.OnnxBytes(arch, null, seed: 42);
        byte[] fromSeed1 = NasOnnx.Search.Latency.MeasuredLatency.OnnxBytes(arch, null, seed: 1);
        Assert.Equal(fromSeed42, fromTrained); // the given network's weights, not the seed's
        Assert.NotEqual(fromSeed1, fromTrained);
        Assert.True(trained.training, "the network's mode is restored");
        var source = new NasOnnx.Search.Latency.MeasuredLatency(new BenchmarkOptions { Warmup = 1, Runs = 5 });
        Assert.InRange(source.Ms(arch, trained), 1e-4, 100);
    }

    [Theory]
    [InlineData("accuracy-latency", 1.0)]
    [InlineData("accuracy", 1.0)]
    [InlineData("pareto", 0.0)]
    public void Predicted_latency_without_a_latency_input_names_the_input_to_add(string objective, double target)
    {
        var space = SpaceRegistry.Create("chain", Tiny);
        var ctx = Context(space, null, ("objective", objective), ("latency_target", target));
        var e = Assert.Throws<NasOnnxException>(() => new EvolutionStrategy { EvaluatorFactory = _ => throw new InvalidOperationException("not reached") }.Run(ctx));
        Assert.Equal("search", e.Stage);
        Assert.Contains("no `latency` input", e.Message);
        Assert.Contains("latency: <profile-latency stage>", e.Fix);
    }

    [Fact]
    public void Accuracy_latency_needs_a_target()
    {
        var space = SpaceRegistry.Create("chain", Tiny);
        var ctx = Context(space, SyntheticPredictor(space), ("objective", "accuracy-latency"));
        var e = Assert.Throws<NasOnnxException>(() => new RandomStrategy { EvaluatorFactory = _ => throw new InvalidOperationException("not reached") }.Run(ctx));
        Assert.Contains("latency_target", e.Message);
    }

    [Fact]
    public void Fastest_chain_architecture_is_exact_against_brute_force()
    {
        var space = (IDecisionSpace)SpaceRegistry.Create("chain", Tiny);
        var predictor = SyntheticPredictor(space);
        var fastest = FastestArchitecture.Find(space, predictor);
        Assert.True(fastest.Exact);
        double brute = double.PositiveInfinity;
        var sizes = space.Decisions.Select(d => d.Choices.Count).ToArray();
        var c = new int[sizes.Length];
        while (true)
        {
            brute = Math.Min(brute, predictor.PredictMs(space.FromChoices(c)));
            int i = 0;
            while (i < c.Length && ++c[i] == sizes[i]) c[i++] = 0;
            if (i == c.Length) break;
        }
        Assert.Equal(brute, fastest.Ms, 12);

        // macro has no per-choice split: the search finds something at least as fast as any of many samples
        var macro = SpaceRegistry.Create("macro", new SpaceOptions(1, 8, 10, 4, 3));
        var macroPredictor = SyntheticPredictor(macro);
        var found = FastestArchitecture.Find(macro, macroPredictor);
        Assert.False(found.Exact);
        var rng = new Random(99);
        Assert.All(Enumerable.Range(0, 300), _ => Assert.True(found.Ms <= macroPredictor.PredictMs(macro.Sample(rng)) + 1e-12));
    }
}

using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Search;
using NasOnnx.Search.OneShot;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Supernets;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>
/// The one-shot expected-latency term: its value and gradient against the softmax Jacobian and finite differences,
/// the mapping of alphas onto table entries (one-hot alphas give the predictor's number), the loss forms, that a strong
/// latency weight derives a faster architecture, SPOS' latency budget, resume, and the missing-input error.
/// Tables are synthetic (a made-up latency per key); the pipeline test uses a real profile-latency run.
/// </summary>
public class LatencyLossTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SpaceOptions Tiny = new(1, 8, 10, Width: 4, Depth: 1);
    private static readonly DeviceFingerprint Fp = new("test cpu", 2, 1, "1.31.0", "cpu", 1, 17, "ORT_ENABLE_ALL");

    private static SpaceOptions OptionsFor(string space) => space == "darts" ? Tiny with { Depth = 3 } : Tiny;

    /// <summary>A calibrated predictor with a made-up latency for every candidate op of the space (deterministic in the key).</summary>
    public static LatencyPredictor SyntheticPredictor(ISearchSpace space, double scale = 1.1, double overhead = 0.05, DeviceFingerprint? fingerprint = null)
    {
        var table = new LatencyTable(fingerprint ?? Fp);
        var model = SpaceLatency.Model(space, 1);
        foreach (var op in model.Candidates().Where(o => !o.EmitsNothing))
        {
            double ms = 0.01 + op.Key.Id.Aggregate(7L, (h, c) => (h * 31 + c) % 100_003) % 1000 / 10000.0;
            table.Add(op.Key, new LatencyStats(10, ms, ms, ms, 0, ms, ms), null);
        }
        return new LatencyPredictor(table, model, new LatencyCalibration(scale, overhead, 3, 0));
    }

    private static Supernet Net(string space, int partialK = 1)
    {
        TorchRuntime.Initialize(1);
        var net = SupernetFactory.Build(SpaceRegistry.Create(space, OptionsFor(space)), partialK, seed: 3);
        net.Arch.To(ScalarType.Float64);
        return net;
    }

    /// <summary>Sets every architecture parameter to seeded N(0, 1) logits (far from the 1e-3 start, so the softmax is uneven).</summary>
    private static void Randomize(ArchParameters arch, int seed)
    {
        var gen = new Generator((ulong)seed);
        using var _ = torch.no_grad();
        foreach (var p in arch.All) p.copy_(torch.randn(p.shape, generator: gen, dtype: ScalarType.Float64));
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("nb201")]
    public void Gradient_is_the_softmax_jacobian_times_the_table(string spaceName)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net(spaceName);
        var predictor = SyntheticPredictor(net.Space);
        var table = predictor.ChoiceLatencies();
        var expected = SupernetFactory.ExpectedLatency(net, predictor);
        Randomize(net.Arch, 11);

        var e = expected.Compute(net.Arch);
        e.backward();
        // rows of the supernet in decision order: chain groups layer0..; nb201 the rows of "cell"
        var rows = net.Arch.Alphas.SelectMany(g => Enumerable.Range(0, g.Rows.Count).Select(r => (Group: g, Row: r))).ToArray();
        Assert.Equal(table.Ms.Length, rows.Length);
        var probs = new List<IReadOnlyList<double>>();
        for (int d = 0; d < rows.Length; d++)
        {
            var (g, r) = rows[d];
            var logits = g.Logits.detach()[r].data<double>().ToArray();
            var p = AlphaDerivation.Softmax(logits);
            probs.Add(p);
            double mean = p.Zip(table.Ms[d], (a, b) => a * b).Sum();
            var grad = g.Logits.grad![r].data<double>().ToArray();
            for (int c = 0; c < p.Length; c++)
                Assert.Equal(p[c] * (table.Ms[d][c] - mean), grad[c], 12); // dE/dalpha_c = p_c (Ms_c - sum_k p_k Ms_k)
        }
        Assert.Equal(table.Expected(probs), e.ToDouble(), 12);
        Assert.True(table.Expected(probs) > table.FixedMs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // partial channels: the node's edge weights softmax(beta) enter too
    public void Darts_gradient_matches_finite_differences(int partialK)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net("darts", partialK);
        var expected = SupernetFactory.ExpectedLatency(net, SyntheticPredictor(net.Space));
        Randomize(net.Arch, 5);
        expected.Compute(net.Arch).backward();
        const double h = 1e-6;
        var rng = new Random(2);
        foreach (var p in net.Arch.All)
        {
            var analytic = p.grad!.data<double>().ToArray();
            long n = p.numel();
            for (int t = 0; t < 12; t++)
            {
                long i = rng.NextInt64(n);
                double At(double delta)
                {
                    using var _ = torch.no_grad();
                    var flat = p.view(-1);
                    double old = flat[i].ToDouble();
                    flat[i].fill_(old + delta);
                    double v = expected.Ms(net.Arch);
                    flat[i].fill_(old);
                    return v;
                }
                double numeric = (At(h) - At(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) < 1e-7 + 1e-5 * Math.Abs(numeric), $"element {i}: numeric {numeric}, autograd {analytic[i]}");
            }
            Assert.Contains(analytic, v => Math.Abs(v) > 1e-6);
        }
    }

    /// <summary>Logits of 40 on the architecture's path (darts: 'none' on the edges it does not use), 0 elsewhere.</summary>
    private static void OneHot(Supernet net, IArchitecture arch)
    {
        var path = net.PathOf(arch);
        using var _ = torch.no_grad();
        foreach (var g in net.Arch.Alphas)
        {
            var values = new double[g.Rows.Count * g.Choices.Count];
            for (int r = 0; r < g.Rows.Count; r++)
            {
                int c = path[g.Name][r] >= 0 ? path[g.Name][r] : g.Choices.ToList().IndexOf(Ops.CellOps.None);
                values[r * g.Choices.Count + c] = 40;
            }
            g.Logits.copy_(torch.tensor(values, [g.Rows.Count, g.Choices.Count]));
        }
    }

    /// <summary>Where the table's split is exact: nb201 with a live (non-'none') edge into every node and no pool twice on
    /// one node; darts without the same pool twice on one state of a cell (ONNX Runtime runs those once).</summary>
    private static bool SplitIsExact(IArchitecture a) => a switch
    {
        Nb201Architecture nb =>
            Enumerable.Range(1, 3).All(to => Enumerable.Range(0, to).Any(from => nb.Edges[Nb201Architecture.Index(to, from)] != Ops.CellOps.None)) &&
            Enumerable.Range(0, 6).Where(e => nb.Edges[e] == Ops.CellOps.AvgPool3x3).GroupBy(e => Nb201Architecture.EdgeOrder[e].From).All(g => g.Count() == 1),
        DartsArchitecture d => new[] { d.Normal, d.Reduce }.All(cell =>
            cell.Where(e => e.Op is Ops.CellOps.MaxPool3x3 or Ops.CellOps.AvgPool3x3).GroupBy(e => (e.Op, e.Input)).All(g => g.Count() == 1)),
        _ => true,
    };

    [Theory]
    [InlineData("chain")]
    [InlineData("nb201")]
    [InlineData("darts")]
    public void One_hot_alphas_give_the_predicted_latency_of_the_derived_architecture(string spaceName)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net(spaceName);
        var predictor = SyntheticPredictor(net.Space);
        var expected = SupernetFactory.ExpectedLatency(net, predictor);
        var table = predictor.ChoiceLatencies();
        var rng = new Random(17);
        int exact = 0;
        for (int i = 0; i < 40; i++)
        {
            var arch = net.Space.Sample(rng);
            OneHot(net, arch);
            // the one-hot alphas derive back to the architecture, and E[LAT] is its prediction
            Assert.Equal(arch.ArchId, SupernetFactory.Derive(net.Space, net.Arch.Snapshot(), new DeriveOptions()).ArchId);
            double e = expected.Ms(net.Arch), predicted = predictor.PredictMs(arch);
            // chain, nb201: the rows are the decisions, so E is the decision table's sum for the architecture, always
            if (net.Space is not DartsSpace) Assert.Equal(table.Of(((IDecisionSpace)net.Space).ToChoices(arch)), e, 9);
            if (SplitIsExact(arch))
            {
                Assert.Equal(predicted, e, 9);
                exact++;
            }
            // darts' per-edge split is exact but for merged pools, which it counts on each edge
            else if (net.Space is DartsSpace) Assert.True(e > predicted, $"{arch.ArchId}: expected {e} vs predicted {predicted}");
        }
        Assert.True(exact >= 5, $"only {exact} exact cases");

        // uniform alphas: the space table's expectation under uniform decisions (darts: uniform input pairs and ops)
        var uniform = ((IDecisionSpace)net.Space).Decisions.Select(d => (IReadOnlyList<double>)Enumerable.Repeat(1.0 / d.Choices.Count, d.Choices.Count).ToArray()).ToArray();
        Assert.Equal(table.Expected(uniform), expected.UniformMs(), 9);
        using (torch.no_grad()) foreach (var p in net.Arch.All) p.zero_();
        Assert.Equal(expected.UniformMs(), expected.Ms(net.Arch), 9);
    }

    [Fact]
    public void Darts_all_none_cannot_lower_the_estimate_and_edge_rows_follow_the_supernet()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net("darts");
        var expected = SupernetFactory.ExpectedLatency(net, SyntheticPredictor(net.Space));
        double uniform = expected.UniformMs();
        using (torch.no_grad())
            foreach (var g in net.Arch.Alphas) g.Logits.zero_().select(1, 0).fill_(30); // 'none' dominates everywhere
        Assert.Equal(uniform, expected.Ms(net.Arch), 6); // a node still keeps 2 edges, each an average non-'none' op
        // the table's edge rows are the supernet's rows: node n's edge from state j is row EdgeIndex(n, j)
        var edges = SyntheticPredictor(net.Space).ChoiceLatencies(new DartsLatencyModel((DartsSpace)net.Space, 1).EdgeChoices());
        Assert.Equal(2 * DartsSupernet.Edges, edges.Ms.Length);
        Assert.All(edges.Ms, r => Assert.Equal(0, r[0]));
        // reduction cell: edges from the cell inputs are strided, from nodes not
        int fromInput = DartsSupernet.Edges + DartsSupernet.EdgeIndex(1, 0), fromNode = DartsSupernet.Edges + DartsSupernet.EdgeIndex(1, 2);
        Assert.NotEqual(edges.Ms[fromInput][4], edges.Ms[fromNode][4]);
    }

    [Fact]
    public void Loss_forms_follow_the_papers_and_only_the_architecture_step_sees_them()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net("nb201");
        var expected = SupernetFactory.ExpectedLatency(net, SyntheticPredictor(net.Space));
        var proxyless = new LatencyLoss(expected, LatencyLossKind.Proxyless, 0.2, 0, 0.6);
        Assert.Equal(expected.UniformMs(), proxyless.TargetMs, 12);
        Assert.Equal(2.0 + 0.2 * (3.0 - 2.5) / 2.5, new LatencyLoss(expected, LatencyLossKind.Proxyless, 0.2, 2.5, 0.6).Combine(2.0, 3.0), 12);
        var fbnet = new LatencyLoss(expected, LatencyLossKind.Fbnet, 0.2, 0, 0.6);
        Assert.Equal(2.0 * 0.2 * Math.Pow(Math.Log(800), 0.6), fbnet.Combine(2.0, 0.8), 12);
        Assert.Equal(fbnet.Combine(2.0, 0.8), fbnet.Combine(torch.tensor(2.0), torch.tensor(0.8)).ToDouble(), 12);

        // architecture step: first-order gradient with the additive term = without + lambda / T * dE/dalpha
        net.ToDType(ScalarType.Float64);
        using var trainer = new SupernetTrainer(net, new OneShotSettings());
        var gen = new Generator(4);
        var x = torch.randn([8, 1, 8, 8], generator: gen, dtype: ScalarType.Float64);
        var y = torch.randint(0, 10, [8], generator: gen);
        net.train();
        var plain = trainer.FirstOrderGradient(x, y).Grads[0].clone();
        trainer.ArchLoss = ce => proxyless.Apply(ce, net.Arch);
        var with = trainer.FirstOrderGradient(x, y).Grads[0];
        var dE = torch.autograd.grad([expected.Compute(net.Arch)], [net.Arch.Alpha("cell").Logits])[0];
        Assert.True(with.sub(plain).sub(dE.mul(0.2 / proxyless.TargetMs)).abs().max().ToDouble() < 1e-10);
        // second order: the additive term does not depend on the weights, so it adds the same
        var plain2 = WithoutLoss(trainer, t => t.SecondOrderGradient(x, y, x, y, 0.01).Grads[0].clone());
        var with2 = trainer.SecondOrderGradient(x, y, x, y, 0.01).Grads[0];
        Assert.True(with2.sub(plain2).sub(dE.mul(0.2 / proxyless.TargetMs)).abs().max().ToDouble() < 1e-8);
        // the weight step never calls it
        trainer.ArchLoss = _ => throw new InvalidOperationException("the weight step used the latency loss");
        trainer.WeightStep(x, y);
    }

    private static Tensor WithoutLoss(SupernetTrainer trainer, Func<SupernetTrainer, Tensor> f)
    {
        var saved = trainer.ArchLoss;
        trainer.ArchLoss = null;
        try { return f(trainer); }
        finally { trainer.ArchLoss = saved; }
    }

    private static Dictionary<string, object?> Params(string loss, double weight, int epochs = 2) => new()
    {
        ["supernet_epochs"] = (long)epochs, ["supernet_batch_size"] = 16L, ["arch_lr"] = 0.01, ["latency_loss"] = loss, ["latency_weight"] = weight,
        ["spos_population"] = 6L, ["spos_generations"] = 1L, ["spos_bn_batches"] = 1L, ["spos_eval_batches"] = 1L,
    };

    private SearchContext Context(string name, string space, Dictionary<string, object?> p, LatencyPredictor? predictor, IRunLog? log = null, CancellationToken cancel = default)
    {
        var ctx = OneShotKit.Context(Path.Combine(_dir.Path, name), space, OptionsFor(space), OneShotKit.Data(128, 8), p, log, cancel);
        return new SearchContext
        {
            Params = ctx.Params, Log = ctx.Log, Seed = ctx.Seed, Cancellation = ctx.Cancellation, StateDir = ctx.StateDir, OutputDir = ctx.OutputDir, Space = ctx.Space, SpaceName = ctx.SpaceName, SpaceOptions = ctx.SpaceOptions, Data = ctx.Data,
            Latency = predictor,
        };
    }

    [Theory]
    [InlineData("darts", "chain", "proxyless", 2.0, 0.6)]
    [InlineData("gdas", "nb201", "proxyless", 2.0, 0.6)]
    [InlineData("darts", "nb201", "fbnet", 0.2, 0.6)] // FBNet's own alpha and beta
    public void Strong_latency_loss_derives_a_faster_architecture(string strategy, string space, string loss, double weight, double beta)
    {
        TorchRuntime.Initialize(1);
        var predictor = SyntheticPredictor(SpaceRegistry.Create(space, OptionsFor(space)));
        Dictionary<string, object?> P(string l, double w)
        {
            var p = Params(l, w);
            p["latency_beta"] = beta;
            return p;
        }
        var log = new CollectingLog();
        var baseline = StrategyCatalog.Get(strategy).Run(Context("none", space, P("none", weight), predictor));
        var fast = StrategyCatalog.Get(strategy).Run(Context("fast", space, P(loss, weight), predictor, log));
        double before = baseline.BestObjectives[OneShotAlgorithm.LatencyObjective], after = fast.BestObjectives[OneShotAlgorithm.LatencyObjective];
        Assert.True(after < before, $"{loss}: derived {after:0.0000} ms, without the loss {before:0.0000} ms");
        var best = SpaceRegistry.Create(space, OptionsFor(space)).Parse(fast.Best.GetRawText());
        Assert.Equal(predictor.PredictMs(best), after, 9);

        // the expected latency per epoch is logged (csv column and log line) and falls under the loss
        var rows = File.ReadAllLines(Path.Combine(_dir.Path, "fast", "out", "search_log.csv"));
        int col = rows[0].Split(',').ToList().IndexOf("expected_latency_ms");
        Assert.True(col >= 0, rows[0]);
        var lat = rows.Skip(1).Select(r => double.Parse(r.Split(',')[col], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var payload = fast.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!;
        Assert.True(lat[^1] < payload.LatencyTargetMs || loss == "fbnet", $"expected latency {lat[^1]} vs uniform {payload.LatencyTargetMs}");
        Assert.Equal(lat[^1], payload.ExpectedLatencyMs!.Value, 6); // the csv has 9 significant digits
        Assert.Contains(log.Lines, l => l.Contains("expected latency", StringComparison.Ordinal) && l.Contains("epoch 2", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("predicted latency", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_latency_input_names_the_stage_and_the_fix()
    {
        TorchRuntime.Initialize(1);
        var e = Assert.Throws<NasOnnxException>(() => new DartsFirstOrder().Run(Context("a", "chain", Params("proxyless", 0.2), null)));
        Assert.Equal("search", e.Stage);
        Assert.Contains("latency_loss: proxyless", e.Message);
        Assert.Contains("latency:", e.Fix);
        Assert.Contains("profile-latency", e.Fix);
        var p = Params("none", 0.2);
        p["latency_target"] = 1.0;
        var s = Assert.Throws<NasOnnxException>(() => new Spos().Run(Context("b", "chain", p, null)));
        Assert.Contains("latency_target", s.Message);
        Assert.Contains("latency_target: 0", s.Fix);
        p["latency_loss"] = "latency";
        Assert.Throws<NasOnnxException>(() => new DartsFirstOrder().Run(Context("c", "chain", p, null)));

        // in a pipeline the mistake shows while validating, before any stage runs
        string file = _dir.Write("pipeline/nolat.yaml", """
            name: nolat
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/none }
              - name: find
                kind: search
                inputs: { data: data }
                params: { space: chain, strategy: gdas, latency_loss: fbnet }
            """);
        var registry = StageCatalog.CreateRegistry();
        var v = Assert.Throws<NasOnnxException>(() => new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions()));
        Assert.Equal("find", v.Stage);
        Assert.Contains("latency_loss: fbnet", v.Message);
        Assert.Contains("stage 'find'", v.Fix);
        Assert.False(Directory.Exists(_dir["runs/nolat/data"]));
    }

    [Fact]
    public void Spos_evolution_rejects_candidates_over_the_budget_before_scoring()
    {
        TorchRuntime.Initialize(1);
        var space = SpaceRegistry.Create("chain", Tiny);
        var predictor = SyntheticPredictor(space);
        var rng = new Random(1);
        var sampled = Enumerable.Range(0, 200).Select(_ => predictor.PredictMs(space.Sample(rng))).Order().ToArray();
        double budget = sampled[sampled.Length / 3];
        var p = Params("none", 0.2, epochs: 1);
        p["latency_target"] = budget;
        var log = new CollectingLog();
        var outcome = new Spos().Run(Context("spos", "chain", p, predictor, log));
        var best = space.Parse(outcome.Best.GetRawText());
        Assert.True(predictor.PredictMs(best) <= budget);
        Assert.True(outcome.BestObjectives[OneShotAlgorithm.LatencyObjective] <= budget);
        var rows = File.ReadAllLines(Path.Combine(_dir.Path, "spos", "out", "spos_log.csv"));
        int col = rows[0].Split(',').ToList().IndexOf("latency_ms");
        Assert.True(col >= 0, rows[0]);
        Assert.Equal(rows[0].Split(',').Length - 1, col); // the last column (the architecture JSON before it holds quoted commas)
        Assert.All(rows.Skip(1), r => Assert.True(double.Parse(r[(r.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture) <= budget));
        Assert.Contains(log.Lines, l => l.Contains("rejected before scoring", StringComparison.Ordinal));

        p["latency_target"] = sampled[0] / 10;
        var e = Assert.Throws<NasOnnxException>(() => new Spos().Run(Context("spos2", "chain", p, predictor)));
        Assert.Contains("raise latency_target", e.Fix);
    }

    private sealed class CancelAfterEpoch(CancellationTokenSource cts) : IRunLog
    {
        public void Info(string message) { if (message.Contains("epoch 1:", StringComparison.Ordinal)) cts.Cancel(); }
        public void Warn(string message) { }
        public IProgressTask Progress(string label, long total) => new Nothing();
        private sealed class Nothing : IProgressTask
        {
            public void Advance(long amount, string? status = null) { }
            public void Dispose() { }
        }
    }

    [Fact]
    public void Killed_search_with_latency_loss_resumes_like_an_uninterrupted_run()
    {
        TorchRuntime.Initialize(1);
        var predictor = SyntheticPredictor(SpaceRegistry.Create("nb201", Tiny));
        var p = Params("proxyless", 0.5);
        var straight = new DartsFirstOrder().Run(Context("a", "nb201", p, predictor));
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => new DartsFirstOrder().Run(Context("b", "nb201", p, predictor, new CancelAfterEpoch(cts), cts.Token)));
        var resumed = new DartsFirstOrder().Run(Context("b", "nb201", p, predictor));
        var a = straight.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!;
        var b = resumed.Payload!.Value.Deserialize<OneShotPayload>(SnakeJson.Options)!;
        double maxDiff = a.Arch.Alphas["cell"].Zip(b.Arch.Alphas["cell"]).SelectMany(r => r.First.Zip(r.Second, (x, y) => Math.Abs(x - y))).Max();
        Assert.True(maxDiff < 1e-5, $"alphas differ by {maxDiff}");
        Assert.Equal(a.ExpectedLatencyMs!.Value, b.ExpectedLatencyMs!.Value, 6);
        Assert.Equal(File.ReadAllLines(Path.Combine(_dir.Path, "a", "out", "search_log.csv")).Length, File.ReadAllLines(Path.Combine(_dir.Path, "b", "out", "search_log.csv")).Length);
        Assert.Equal(straight.BestObjectives[OneShotAlgorithm.LatencyObjective], resumed.BestObjectives[OneShotAlgorithm.LatencyObjective], 9);
    }

    [Fact]
    public void Pipeline_profile_latency_feeds_the_one_shot_search()
    {
        LearnableData.Write(_dir["data/tiny"], train: 100, test: 20);
        string file = _dir.Write("pipeline/lat.yaml", """
            name: lat
            seed: 3
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: profile
                kind: profile-latency
                inputs: { data: data }
                params: { space: chain, width: 4, depth: 1, warmup: 1, runs: 3, rounds: 1, calibration_models: 2, differential: false }
              - name: search
                kind: search
                inputs: { data: data, latency: profile }
                params: { space: chain, strategy: darts, width: 4, depth: 1, supernet_epochs: 1, supernet_batch_size: 16,
                          supernet_data_fraction: 0.4, latency_loss: proxyless, latency_weight: 1.0 }
            """);
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        var outcome = SearchOutcome.Load(_dir["runs/lat/search"]);
        var predictor = SpaceLatency.LoadPredictor(_dir["runs/lat/profile"], out var space);
        Assert.Equal(predictor.PredictMs(space.Parse(outcome.Best.GetRawText())), outcome.BestObjectives[OneShotAlgorithm.LatencyObjective], 9);
        Assert.Contains("expected_latency_ms", File.ReadAllLines(_dir["runs/lat/search/search_log.csv"])[0]);
        Assert.Contains(log.Lines, l => l.Contains("latency loss proxyless", StringComparison.Ordinal));
    }
}

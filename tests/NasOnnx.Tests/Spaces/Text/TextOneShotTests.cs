using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Latency;
using NasOnnx.Runtime;
using NasOnnx.Search;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;
using NasOnnx.Supernets;
using NasOnnx.Tests.Search.OneShot;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>One-shot search over the text space on generated token data: the supernet, derivation, expected latency, and
/// tiny DARTS / GDAS / SPOS searches end to end.</summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public sealed class TextOneShotTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SpaceOptions Tiny = SpaceOptions.Text(30, 10, 2, width: 8, depth: 2);

    /// <summary>
    /// Learnable sequences: class 0 draws its words from ids 2..15, class 1 from 16..29, with 1 in 5 words from anywhere;
    /// 3..10 real tokens per row, padded with 0 to 10.
    /// </summary>
    public static LoadedData Data(int count, int seed = 1)
    {
        const int length = 10, vocabulary = 30;
        var rng = new Random(seed);
        var tokens = new int[count * length];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(2);
            labels[i] = (byte)c;
            int real = rng.Next(3, length + 1);
            for (int t = 0; t < real; t++)
                tokens[i * length + t] = rng.Next(5) == 0 ? rng.Next(2, vocabulary) : c == 0 ? rng.Next(2, 16) : rng.Next(16, vocabulary);
        }
        var names = new[] { "low", "high" };
        var ds = Dataset.Text("tokens", length, tokens, labels, names);
        var info = new PreparedDataset
        {
            Name = "tokens", Source = "generated", Folder = "", TrainFiles = [], TestFiles = [], FileHashes = new Dictionary<string, string>(),
            Channels = 1, Height = 1, Width = length, ClassNames = names, Mean = [0f], Std = [1f],
            TrainCount = count, TestCount = 0, ValidationFraction = 0, SplitSeed = 0,
        };
        return new LoadedData(info, ds, Enumerable.Range(0, count).ToArray(), [], ds);
    }

    private static Dictionary<string, object?> Params(int epochs) => new()
    {
        ["supernet_epochs"] = (long)epochs, ["supernet_batch_size"] = 16L, ["arch_lr"] = 3e-3, ["spos_population"] = 4L,
        ["spos_generations"] = 1L, ["spos_bn_batches"] = 2L, ["spos_eval_batches"] = 2L,
    };

    [Theory]
    [InlineData("darts")]
    [InlineData("gdas")]
    [InlineData("spos")]
    public void Strategy_searches_and_derives_a_text_architecture(string strategyName)
    {
        TorchRuntime.Initialize(1);
        var ctx = OneShotKit.Context(_dir.Path, "text", Tiny, Data(96), Params(1));
        var strategy = StrategyCatalog.Get(strategyName);
        var outcome = strategy.Run(ctx);
        var best = Assert.IsType<TextArchitecture>(ctx.Space.Parse(outcome.Best.GetRawText()));
        Assert.Equal(1, outcome.Evaluations);
        Assert.True(File.ReadAllLines(Path.Combine(ctx.OutputDir, "alphas.csv")).Length > 1);
        if (strategyName != "spos")
        {
            // derived: full depth, each layer reading the previous node, no skips
            Assert.Equal(Tiny.Depth, best.Layers.Count);
            Assert.All(best.Layers.Select((l, i) => (l, i)), t => Assert.Equal(t.i, t.l.Input));
            Assert.All(best.Layers, l => Assert.Empty(l.Skips));
        }
        // the derived architecture builds, trains a step and exports like any other
        using var net = NetworkFactory.BuildRandom(best, seed: 1);
        var bytes = TextKit.Bytes(net);
        var r = NasOnnx.Onnx.OnnxVerifier.Compare(net, bytes);
        Assert.True(r.MaxAbsDiff <= 1e-4);
    }

    [Fact]
    public void Supernet_runs_every_mode_and_derives_the_argmax()
    {
        TorchRuntime.Initialize(1);
        var space = (TextSpace)SpaceRegistry.Create("text", Tiny);
        using var net = Assert.IsType<TextSupernet>(SupernetFactory.Build(space, seed: 3));
        var ids = torch.tensor(new long[] { 3, 4, 5, 0, 0, 7, 8, 9, 10, 11 }, [2, 5]);
        foreach (var mode in new[] { SupernetMode.Weighted, SupernetMode.Gumbel })
        {
            net.Mode = mode;
            net.Noise = new Generator(1);
            using var scope = torch.NewDisposeScope();
            var logits = net.call(ids);
            Assert.Equal([2L, 2L], logits.shape);
            logits.sum().backward();
            Assert.All(net.Arch.All, p => Assert.NotNull(p.grad));
            Assert.True(net.Arch.All.All(p => p.grad!.abs().sum().item<float>() > 0), $"{mode}: some architecture parameter got no gradient");
            foreach (var p in net.Arch.All) p.grad!.zero_();
        }
        // a single path: an architecture of depth 1 leaves layer 1 off
        var shallow = space.Build([0, 2, 6, 0, 1, 0, 0, 0, 0]);
        net.UsePath(shallow);
        Assert.Equal(-1, net.PathOf(shallow)["layer1"][0]);
        using (torch.no_grad()) Assert.Equal([2L, 2L], net.call(ids).shape);

        // derive: the strongest op per layer, the strongest pooling
        var snapshot = net.Arch.Snapshot();
        snapshot.Alphas["layer0"][0] = [0, 0, 0, 0, 0, 0, 0, 5];
        snapshot.Alphas["layer1"][0] = [0, 0, 5, 0, 0, 0, 0, 0];
        snapshot.Alphas["pooling"][0] = [0, 5, 0];
        var derived = (TextArchitecture)SupernetFactory.Derive(space, snapshot, new DeriveOptions());
        Assert.Equal(["gru", "conv_k5"], derived.Layers.Select(l => l.Op));
        Assert.Equal(TextPooling.Mean, derived.Pooling);
    }

    [Fact]
    public void A_restricted_supernet_has_alpha_rows_of_its_ops_and_derives_only_them()
    {
        TorchRuntime.Initialize(1);
        var options = Tiny with { Ops = "conv_k3,attention", Poolings = "max,mean" };
        var space = (TextSpace)SpaceRegistry.Create("text", options);
        using var net = Assert.IsType<TextSupernet>(SupernetFactory.Build(space, seed: 3));
        Assert.Equal(["conv_k3", "attention"], net.Arch.Alpha(TextSupernet.LayerGroup(0)).Choices);
        var snapshot = net.Arch.Snapshot();
        Assert.All(Enumerable.Range(0, 2), i => Assert.Equal(2, snapshot.Alphas[TextSupernet.LayerGroup(i)][0].Length));
        Assert.Equal(2, snapshot.Alphas[TextSupernet.PoolingGroup][0].Length);
        var ids = torch.tensor(new long[] { 3, 4, 5, 0, 0, 7, 8, 9, 10, 11 }, [2, 5]);
        foreach (var mode in new[] { SupernetMode.Weighted, SupernetMode.Gumbel })
        {
            net.Mode = mode;
            net.Noise = new Generator(1);
            using var scope = torch.NewDisposeScope();
            Assert.Equal([2L, 2L], net.call(ids).shape);
        }
        snapshot.Alphas["layer0"][0] = [0, 5];
        snapshot.Alphas["layer1"][0] = [5, 0];
        snapshot.Alphas["pooling"][0] = [0, 5];
        var derived = (TextArchitecture)SupernetFactory.Derive(space, snapshot, new DeriveOptions());
        Assert.Equal(["attention", "conv_k3"], derived.Layers.Select(l => l.Op));
        Assert.Equal(TextPooling.Mean, derived.Pooling);
        // one search end to end: its best is in the restricted space
        var ctx = OneShotKit.Context(_dir.Path, "text", options, Data(64), Params(1));
        var outcome = StrategyCatalog.Get("darts").Run(ctx);
        var best = Assert.IsType<TextArchitecture>(ctx.Space.Parse(outcome.Best.GetRawText()));
        Assert.All(best.Layers, l => Assert.Contains(l.Op, space.AllowedOps));
        // search.json keeps the sets, and the derive stage rebuilds the restricted space from it
        string searchDir = Path.Combine(_dir.Path, "search-out");
        Directory.CreateDirectory(searchDir);
        (outcome with { SpaceOptions = options }).Save(searchDir);
        Assert.Equal(options, SearchOutcome.Load(searchDir).SpaceOptions);
        var derive = new NasOnnx.Pipeline.StageContext
        {
            PipelineName = "test", PipelineFile = "test.yaml", StageName = "derive", Kind = "derive",
            OutputDir = Path.Combine(_dir.Path, "derive-out"), WorkDir = Path.Combine(_dir.Path, "derive-work"), ProjectRoot = _dir.Path,
            Inputs = new Dictionary<string, string> { ["search"] = searchDir },
            Params = new Dictionary<string, object?> { ["rule"] = "most-likely", ["max_skip"] = -1L }, Seed = 1, Log = new NasOnnx.Tests.Pipeline.CollectingLog(),
        };
        Directory.CreateDirectory(derive.OutputDir);
        new NasOnnx.Pipeline.Stages.DeriveStage().Run(derive);
        var written = Assert.IsType<TextArchitecture>(space.Parse(File.ReadAllText(Path.Combine(derive.OutputDir, "architecture.json"))));
        Assert.All(written.Layers, l => Assert.Contains(l.Op, space.AllowedOps));
    }

    [Fact]
    public void Expected_latency_of_one_hot_alphas_is_the_derived_architectures_prediction()
    {
        TorchRuntime.Initialize(1);
        var space = (TextSpace)SpaceRegistry.Create("text", Tiny);
        var table = new LatencyTable(new DeviceFingerprint("test cpu", 2, 1, "1.31.0", "cpu", 1, 17, "ORT_ENABLE_ALL"));
        foreach (var op in SpaceLatency.Model(space, 1).Candidates())
        {
            double ms = 0.01 + op.Key.Id.Aggregate(7L, (h, c) => (h * 31 + c) % 100_003) % 1000 / 10000.0;
            table.Add(op.Key, new LatencyStats(10, ms, ms, ms, 0, ms, ms), null);
        }
        var predictor = new LatencyPredictor(table, SpaceLatency.Model(space, 1), new LatencyCalibration(1.3, 0.2, 3, 0));
        using var net = SupernetFactory.Build(space, seed: 2);
        var expected = SupernetFactory.ExpectedLatency(net, predictor);
        var snapshot = net.Arch.Snapshot();
        var rng = new Random(4);
        foreach (var group in snapshot.Alphas.Keys.ToList())
        {
            var row = new double[snapshot.Alphas[group][0].Length];
            row[rng.Next(row.Length)] = 60; // softmax is one-hot to double precision
            snapshot.Alphas[group][0] = row;
        }
        var derived = SupernetFactory.Derive(space, snapshot, new DeriveOptions());
        Assert.Equal(predictor.PredictMs(derived), expected.Ms(snapshot), 6);
        Assert.True(expected.UniformMs() > 0);
    }
}

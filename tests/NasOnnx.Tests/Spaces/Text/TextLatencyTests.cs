using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;
using NasOnnx.Tests.Onnx;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>The text space's latency split (synthetic tables, no measuring) and its candidates through the profiler (few runs).</summary>
public sealed class TextLatencyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SpaceOptions Tiny = SpaceOptions.Text(30, 12, 3, width: 8, depth: 3);
    private static readonly BenchmarkOptions Few = new() { Warmup = 1, Runs = 3 };

    /// <summary>A made-up latency for every candidate (deterministic in the key).</summary>
    private static LatencyTable Synthetic(ISearchSpace space) => NasOnnx.Tests.Latency.PredictorTests.Synthetic(space);

    [Fact]
    public void Keys_name_sequence_shapes_and_instances_are_candidates()
    {
        var space = SpaceRegistry.Create("text", Tiny);
        Assert.Contains("text", SpaceLatency.Spaces);
        var model = SpaceLatency.Model(space, 1);
        var candidates = model.Candidates();
        var keys = candidates.Select(c => c.Key.Id).ToHashSet();
        Assert.Contains("embedding|in=1x12|out=1x12x8|v30_e8", keys);
        Assert.Contains("conv_k3|in=1x12x8|out=1x12x8|s1", keys);
        Assert.Contains("attention|in=1x12x8|out=1x12x8|h4", keys);
        Assert.Contains("gru|in=1x12x8|out=1x12x8|bidirectional", keys);
        Assert.Contains("layer_norm|in=1x12x8|out=1x12x8|affine", keys);
        Assert.Contains("add|in=1x12x8|out=1x12x8|2", keys);
        Assert.Contains("text_head|in=1x12x8|out=1x3|max_mean", keys);
        // embedding, 8 ops, LayerNorm, Add, 3 heads
        Assert.Equal(1 + 8 + 1 + 1 + 3, keys.Count);
        Assert.True(candidates.Single(c => c.Key.Op == "embedding").TokenInput);
        Assert.All(candidates.Where(c => c.Key.Op != "embedding"), c => Assert.False(c.TokenInput));
        Assert.Contains("embedding|in=4x12|out=4x12x8|v30_e8", SpaceLatency.Model(space, 4).Candidates().Select(c => c.Key.Id));

        var rng = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            var arch = (TextArchitecture)space.Sample(rng);
            var ops = model.Instances(arch);
            Assert.All(ops, op => Assert.Contains(op.Key.Id, keys));
            Assert.Equal(1 + 2 * arch.Layers.Count + arch.Layers.Sum(l => l.Skips.Count) + 1, ops.Count);
        }
    }

    [Fact]
    public void Choice_latencies_add_up_to_the_prediction_at_full_depth()
    {
        var space = (TextSpace)SpaceRegistry.Create("text", Tiny);
        var predictor = new LatencyPredictor(Synthetic(space), SpaceLatency.Model(space, 1), new LatencyCalibration(1.2, 0.1, 3, 0));
        var choices = predictor.ChoiceLatencies();
        Assert.Equal(space.Decisions.Count, choices.Ms.Length);
        for (int d = 0; d < space.Decisions.Count; d++) Assert.Equal(space.Decisions[d].Choices.Count, choices.Ms[d].Length);
        var rng = new Random(5);
        int full = 0;
        for (int i = 0; i < 60; i++)
        {
            var arch = (TextArchitecture)space.Sample(rng);
            if (arch.Layers.Count != space.Config.MaxDepth) continue;
            full++;
            Assert.Equal(predictor.PredictMs(arch), choices.Of(space.ToChoices(arch)), 9);
        }
        Assert.True(full > 5);
        // the fastest architecture is a real one of the space, no slower than any sample
        var fastest = FastestArchitecture.Find(space, predictor, samples: 200, restarts: 3);
        Assert.Equal("text", fastest.Architecture.Space);
        Assert.True(Enumerable.Range(0, 50).All(k => predictor.PredictMs(space.Sample(new Random(k))) >= fastest.Ms - 1e-9));
    }

    [Fact]
    public void Every_candidate_profiles_and_whole_models_measure()
    {
        OnnxTestKit.Init();
        var space = SpaceRegistry.Create("text", Tiny);
        var model = SpaceLatency.Model(space, 1);
        foreach (var op in model.Candidates())
        {
            byte[] once = LatencyProfiler.SingleOpModel(op, 1); // throws when the module's output differs from the key
            OnnxTestKit.Keep($"op_text_{op.Key.Op}_{op.Key.Args}", once);
            Assert.False(LatencyProfiler.HasContext(op));
        }
        var result = LatencyProfiler.Profile(model, Few, _dir["cache"]);
        Assert.Equal(model.Candidates().Count, result.Measured);
        Assert.All(result.Table.Entries, e => Assert.True(e.RawMs > 0));
        var predictor = new LatencyPredictor(result.Table, model, LatencyCalibration.Identity);
        var archs = LatencyValidation.Sample(space, 2, seed: 3);
        Assert.All(archs, a => Assert.True(predictor.PredictMs(a) > 0));

        // a whole text model runs in the benchmark harness at the space's sequence length (token ids from its metadata)
        var whole = SpaceLatency.MeasureWhole(archs, Few with { Batch = 2 }, seed: 1, rounds: 1);
        Assert.All(whole, m => Assert.True(m.Stats.P50 > 0));
    }
}

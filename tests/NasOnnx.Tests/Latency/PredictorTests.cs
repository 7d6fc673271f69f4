using NasOnnx.Latency;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Latency;

/// <summary>Table keys, predictor arithmetic and metrics on synthetic tables: no measurement, no tensors.</summary>
public class PredictorTests
{
    internal static readonly DeviceFingerprint Fp = new("test cpu", 2, 1, "1.31.0", "cpu", 1, 17, "ORT_ENABLE_ALL");

    /// <summary>A table with a made-up latency for every candidate of the space (deterministic in the key).</summary>
    internal static LatencyTable Synthetic(ISearchSpace space)
    {
        var table = new LatencyTable(Fp);
        foreach (var op in SpaceLatency.Model(space, 1).Candidates().Where(o => !o.EmitsNothing))
        {
            double ms = 0.01 + op.Key.Id.Aggregate(7L, (h, c) => (h * 31 + c) % 100_003) % 1000 / 10000.0;
            table.Add(op.Key, new LatencyStats(10, ms, ms, ms, 0, ms, ms), null);
        }
        return table;
    }

    [Fact]
    public void Chain_keys_name_op_shapes_and_args()
    {
        var space = new ChainSpace(new SpaceOptions(1, 8, 10, 4, 1));
        var model = SpaceLatency.Model(space, 1);
        var keys = model.Candidates().Select(c => c.Key.Id).ToHashSet();
        Assert.Contains("conv_bn|in=1x1x8x8|out=1x4x8x8|k3_s1_p1_relu6", keys);
        Assert.Contains("mbconv|in=1x4x8x8|out=1x6x4x4|k3_e3_s2", keys);
        Assert.Contains("mbconv|in=1x4x8x8|out=1x6x4x4|k7_e6_s2", keys);
        Assert.Contains("classifier|in=1x32x1x1|out=1x10|gap_flatten_gemm", keys);
        // 5 layers x 6 MBConvs + skip on the shape-keeping layers + stem, head conv, classifier
        Assert.Equal(5 * 6 + space.Decisions.Count(d => d.Choices.Contains(ChainOp.Skip.Name)) + 3, keys.Count);
        Assert.All(model.Candidates().Where(c => c.Key.Op == "skip"), c => Assert.True(c.EmitsNothing));
        var batch4 = SpaceLatency.Model(space, 4).Candidates().Select(c => c.Key.Id);
        Assert.Contains("mbconv|in=4x4x8x8|out=4x6x4x4|k3_e3_s2", batch4);
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("nb201")]
    [InlineData("darts")]
    [InlineData("macro")]
    public void Candidates_cover_every_op_of_every_architecture(string spaceName)
    {
        var space = SpaceRegistry.Create(spaceName, spaceName == "darts" ? new SpaceOptions(1, 8, 10, 4, 3) : new SpaceOptions(1, 8, 10, 4, null));
        var model = SpaceLatency.Model(space, 1);
        var keys = model.Candidates().Select(c => c.Key.Id).ToHashSet();
        var rng = new Random(11);
        for (int i = 0; i < 200; i++)
            foreach (var op in model.Instances(space.Sample(rng)))
                Assert.Contains(op.Key.Id, keys);
    }

    [Fact]
    public void Macro_has_no_per_choice_split()
    {
        var space = (IDecisionSpace)SpaceRegistry.Create("macro", new SpaceOptions(1, 8, 10, 4, 3));
        var e = Assert.Throws<NasOnnxException>(() => Synthetic(space).Latencies(SpaceLatency.Model(space, 1).Choices()));
        Assert.Contains("PredictMs", e.Fix);
    }

    [Fact]
    public void Predictor_is_scaled_table_sum_plus_overhead()
    {
        var space = new ChainSpace(new SpaceOptions(1, 8, 10, 4, 1));
        var table = Synthetic(space);
        var model = SpaceLatency.Model(space, 1);
        var arch = space.Sample(new Random(3));
        double sum = model.Instances(arch).Sum(op => op.EmitsNothing ? 0 : table.Entries.Single(e => e.Key == op.Key.Id).Ms);
        var predictor = new LatencyPredictor(table, model, new LatencyCalibration(1.5, 0.25, 4, 0));
        Assert.Equal(sum, predictor.TableSumMs(arch), 12);
        Assert.Equal(1.5 * sum + 0.25, predictor.PredictMs(arch), 12);
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("nb201")]
    public void Choice_latencies_add_up_to_the_prediction(string spaceName)
    {
        var space = (IDecisionSpace)SpaceRegistry.Create(spaceName, new SpaceOptions(1, 8, 10, 4, 1));
        var table = Synthetic(space);
        var predictor = new LatencyPredictor(table, SpaceLatency.Model(space, 1), new LatencyCalibration(1.2, 0.1, 3, 0));
        var choices = predictor.ChoiceLatencies();
        Assert.Equal(space.Decisions.Count, choices.Ms.Length);
        for (int d = 0; d < space.Decisions.Count; d++) Assert.Equal(space.Decisions[d].Choices.Count, choices.Ms[d].Length);

        var rng = new Random(5);
        for (int i = 0; i < 20; i++)
        {
            var arch = space.Sample(rng);
            // the split is exact when every node has a live edge and no pool repeats on the same node
            if (arch is Nb201Architecture nb && (nb.Edges.Contains(Ops.CellOps.None) || nb.Edges.Count(e => e == Ops.CellOps.AvgPool3x3) > 1)) continue;
            int[] c = space.ToChoices(arch);
            Assert.Equal(predictor.PredictMs(arch), choices.Of(c), 9);
            var oneHot = space.Decisions.Select((d, k) => (IReadOnlyList<double>)d.Choices.Select((_, j) => j == c[k] ? 1.0 : 0.0).ToArray()).ToArray();
            Assert.Equal(choices.Of(c), choices.Expected(oneHot), 9);
        }
        // Expected latency under a uniform policy is the fixed part plus the mean of each decision's choices.
        var uniform = space.Decisions.Select(d => (IReadOnlyList<double>)Enumerable.Repeat(1.0 / d.Choices.Count, d.Choices.Count).ToArray()).ToArray();
        Assert.Equal(choices.FixedMs + choices.Ms.Sum(m => m.Average()), choices.Expected(uniform), 9);
    }

    [Fact]
    public void Nb201_prediction_counts_every_emitted_node()
    {
        var space = new Nb201Space(new SpaceOptions(1, 8, 10, 4, 1));
        var model = SpaceLatency.Model(space, 1);
        // node 3 has no live edge: it is 0 * x; nodes 1 and 2 feed nothing but ONNX Runtime still runs them.
        var dead = space.Build([3, 0, 3, 0, 0, 0]);
        Assert.Equal(2 * 3, model.Instances(dead).Count(o => o.Key.Op == "nor_conv_3x3"));
        Assert.Equal(3, model.Instances(dead).Count(o => o.Key.Op == "none"));
        var full = space.Build([3, 3, 3, 3, 3, 3]);
        Assert.Equal(6 * 3, model.Instances(full).Count(o => o.Key.Op == "nor_conv_3x3"));
        Assert.Equal(3 * 3, model.Instances(full).Count(o => o.Key.Op == "add"));
        // avg pools on node 0 (edges 1<-0 and 3<-0) are one pool after ORT's common-subexpression elimination.
        var pools = space.Build([4, 3, 4, 4, 1, 3]);
        Assert.Equal(2 * 3, model.Instances(pools).Count(o => o.Key.Op == "avg_pool_3x3"));
    }

    [Fact]
    public void Darts_normal_cell_choices_are_exact()
    {
        var space = new DartsSpace(new SpaceOptions(1, 8, 10, 4, 3));
        var table = Synthetic(space);
        var predictor = new LatencyPredictor(table, SpaceLatency.Model(space, 1), LatencyCalibration.Identity);
        var choices = predictor.ChoiceLatencies();
        int[] c = space.ToChoices(space.Sample(new Random(1)));
        // Changing only a normal-cell conv moves the prediction by exactly the difference of the two entries.
        int d = space.Decisions.ToList().FindIndex(x => x.Name == "normal.node2.op_a");
        var ops = space.Decisions[d].Choices.ToList();
        c[d] = ops.IndexOf(Ops.CellOps.DilConv3x3);
        int other = ops.IndexOf(Ops.CellOps.SepConv5x5);
        var baseArch = space.FromChoices(c);
        int[] c2 = (int[])c.Clone();
        c2[d] = other;
        double delta = predictor.PredictMs(space.FromChoices(c2)) - predictor.PredictMs(baseArch);
        Assert.Equal(choices.Ms[d][other] - choices.Ms[d][c[d]], delta, 9);
    }

    [Fact]
    public void Missing_entry_says_to_profile()
    {
        var space = new ChainSpace(new SpaceOptions(1, 8, 10, 4, 1));
        var predictor = new LatencyPredictor(new LatencyTable(Fp), SpaceLatency.Model(space, 1), LatencyCalibration.Identity);
        var e = Assert.Throws<NasOnnxException>(() => predictor.PredictMs(space.Sample(new Random(1))));
        Assert.Contains("profile-latency", e.Fix);
    }

    [Fact]
    public void Calibration_recovers_scale_and_overhead()
    {
        var points = new[] { 1.0, 2.0, 3.5, 5.0 }.Select(x => (x, 1.3 * x + 0.2)).ToArray();
        var c = LatencyCalibration.Fit(points);
        Assert.Equal(1.3, c.Scale, 9);
        Assert.Equal(0.2, c.OverheadMs, 9);
        Assert.Equal(0, c.FitMape, 6);
        var one = LatencyCalibration.Fit([(2.0, 3.0)]);
        Assert.Equal(1.0, one.Scale);
        Assert.Equal(1.0, one.OverheadMs, 12);
    }

    [Fact]
    public void Metrics_share_mape_kendall()
    {
        double[] measured = [1, 2, 3, 4];
        double[] predicted = [1.05, 2.5, 2.9, 4.0];
        Assert.Equal(0.75, LatencyValidation.ShareWithin(predicted, measured, 10), 12);
        Assert.Equal((5 + 25 + 100.0 / 30 + 0) / 4, LatencyValidation.Mape(predicted, measured), 9);
        Assert.Equal(1.0, LatencyValidation.KendallTau(predicted, measured), 12);
        Assert.Equal(-1.0, LatencyValidation.KendallTau([4.0, 3, 2, 1], measured), 12);
        Assert.Equal(4.0 / 6, LatencyValidation.KendallTau([1.0, 3, 2, 4], measured), 12);
    }

    [Fact]
    public void Stats_percentiles_interpolate()
    {
        var s = LatencyStats.From([5.0, 1, 4, 2, 3]);
        Assert.Equal(3, s.P50);
        Assert.Equal(4.6, s.P90, 12);
        Assert.Equal(3, s.Mean);
        Assert.Equal(Math.Sqrt(2.5), s.Std, 12);
        Assert.Equal(1, s.Min);
        Assert.Equal(5, s.Max);
    }

    [Fact]
    public void Fingerprint_id_changes_with_every_field()
    {
        var ids = new[]
        {
            Fp, Fp with { CpuModel = "other" }, Fp with { Threads = 2 }, Fp with { OrtVersion = "1.30.0" }, Fp with { ExecutionProvider = "cuda" },
            Fp with { Batch = 8 }, Fp with { Opset = 18 }, Fp with { GraphOptimization = "ORT_DISABLE_ALL" }, Fp with { Clock = "cpu" }, Fp with { LogicalCores = 4 },
        }.Select(f => f.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }
}

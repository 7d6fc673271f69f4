using System.Numerics;
using System.Text.Json;
using NasOnnx.Architectures;
using NasOnnx.Core;
using NasOnnx.Latency;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>The text space's op and pooling sets as options (SpaceOptions.Ops / Poolings): decisions, sampling, size,
/// JSON, errors, latency over a restricted space, and image options unchanged.</summary>
public class TextOpSetTests
{
    private const string NoGru = "conv_k3,conv_k5,conv_k7,max_pool_k3,avg_pool_k3,attention";

    private static TextSpace Space(string? ops, string? poolings = null, int depth = 4, int width = 16) =>
        (TextSpace)SpaceRegistry.Create("text", SpaceOptions.Text(500, 32, 4, width, depth, ops, poolings));

    [Fact]
    public void A_restricted_space_offers_and_samples_only_its_ops_and_poolings()
    {
        var space = Space(NoGru, "max");
        Assert.Equal(NoGru.Split(','), space.AllowedOps);
        Assert.Equal([TextPooling.Max], space.AllowedPoolings);
        for (int i = 0; i < space.Config.MaxDepth; i++) Assert.Equal(NoGru.Split(','), space.Decisions[space.OpDecision(i)].Choices);
        Assert.Equal(["max"], space.Decisions[TextSpace.PoolingDecision].Choices);
        var seen = new HashSet<string>();
        for (int seed = 0; seed < 300; seed++)
        {
            var a = (TextArchitecture)space.Sample(new Random(seed));
            Assert.Equal(TextPooling.Max, a.Pooling);
            foreach (var l in a.Layers) seen.Add(l.Op);
            // mutation and crossover stay in the space too
            var m = (TextArchitecture)space.Mutate(a, new Random(seed));
            var c = (TextArchitecture)space.Crossover(a, m, new Random(seed));
            Assert.All(m.Layers.Concat(c.Layers), l => Assert.Contains(l.Op, space.AllowedOps));
        }
        Assert.Equal(NoGru.Split(',').Order(), seen.Order()); // every allowed op turns up, gru never
    }

    [Fact]
    public void Sets_are_canonical_so_equal_sets_give_equal_options()
    {
        var a = SpaceOptions.Text(100, 8, 2, ops: " attention, conv_k3 ", poolings: "[mean, max]");
        Assert.Equal("conv_k3,attention", a.Ops); // TextOp.All order
        Assert.Equal("max,mean", a.Poolings);
        Assert.Equal(SpaceOptions.Text(100, 8, 2, ops: "conv_k3,attention", poolings: "max,mean"), a);
        Assert.Equal(a, SpaceOptions.Text(100, 8, 2) with { Ops = "attention,conv_k3", Poolings = "mean,max" }); // `with` too
        Assert.NotEqual(SpaceOptions.Text(100, 8, 2), a);
        var space = (TextSpace)SpaceRegistry.Create("text", a);
        Assert.Equal(["conv_k3", "attention"], space.AllowedOps);
        Assert.Equal([TextPooling.Max, TextPooling.Mean], space.AllowedPoolings);
        // search.json / predictor.json round trip
        var back = JsonSerializer.Deserialize<SpaceOptions>(JsonSerializer.Serialize(a, SnakeJson.Options), SnakeJson.Options);
        Assert.Equal(a, back);
        Assert.Contains("\"ops\": \"conv_k3,attention\"", JsonSerializer.Serialize(a, LatencyTable.Json), StringComparison.Ordinal);
    }

    [Fact]
    public void Image_options_serialize_and_print_exactly_as_before()
    {
        // the JSON search.json and predictor.json held before ops existed (the goldens pin files containing it)
        Assert.Equal("{\"channels\":3,\"resolution\":32,\"classes\":10,\"input\":{\"channels\":3,\"height\":32,\"width\":32}}",
            JsonSerializer.Serialize(SpaceOptions.Cifar10, new JsonSerializerOptions(SnakeJson.Options) { WriteIndented = false }));
        Assert.Equal("{\"channels\":1,\"resolution\":8,\"classes\":10,\"width\":4,\"depth\":3,\"input\":{\"channels\":1,\"height\":8,\"width\":8}}",
            JsonSerializer.Serialize(new SpaceOptions(1, 8, 10, 4, 3), new JsonSerializerOptions(LatencyTable.Json) { WriteIndented = false }));
        // the text the multi-trial resume fingerprint holds: as the compiler printed the record before
        Assert.Equal("SpaceOptions { Channels = 1, Resolution = 28, Classes = 10, Width = , Depth = , Vocabulary = , IsText = False, Input = 1x28x28 }",
            SpaceOptions.FashionMnist.ToString());
        Assert.Contains("Ops = conv_k3, Poolings = max", SpaceOptions.Text(100, 8, 2, ops: "conv_k3", poolings: "max").ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("conv_k3,lstm", null, "Unknown op 'lstm'")]
    [InlineData("", null, "op set is empty")]
    [InlineData("[]", null, "op set is empty")]
    [InlineData("conv_k3,conv_k3", null, "'conv_k3' twice")]
    [InlineData(null, "max,median", "Unknown pooling 'median'")]
    [InlineData(null, " ", "pooling set is empty")]
    public void Bad_sets_are_refused_naming_the_valid_names(string? ops, string? poolings, string message)
    {
        var e = Assert.Throws<NasOnnxException>(() => SpaceOptions.Text(100, 8, 2, ops: ops, poolings: poolings));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(ops is not null ? "conv_k1, conv_k3, conv_k5, conv_k7, max_pool_k3, avg_pool_k3, attention, gru" : "max, mean, max_mean", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("chain")]
    public void Image_spaces_refuse_ops_and_poolings(string spaceName)
    {
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Create(spaceName, SpaceOptions.FashionMnist with { Ops = "conv_k3" }));
        Assert.Contains("ops [conv_k3] given for images", e.Message, StringComparison.Ordinal);
        Assert.Contains("text space", e.Fix, StringComparison.Ordinal);
        e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Create(spaceName, new SpaceOptions(3, 32, 10, Poolings: "max")));
        Assert.Contains("poolings [max]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Size against counting every distinct architecture the choices build (small config: depth 2, window 3).</summary>
    [Theory]
    [InlineData(null, null)]
    [InlineData("conv_k5,attention,gru", "max,max_mean")]
    [InlineData("avg_pool_k3", "mean")]
    public void Size_counts_the_distinct_architectures(string? ops, string? poolings)
    {
        var space = Space(ops, poolings, depth: 2, width: 8);
        var sizes = space.Decisions.Select(d => d.Choices.Count).ToArray();
        var ids = new HashSet<string>();
        var choices = new int[sizes.Length];
        while (true)
        {
            ids.Add(space.FromChoices(choices).ArchId);
            int k = 0;
            while (k < sizes.Length && ++choices[k] == sizes[k]) choices[k++] = 0;
            if (k == sizes.Length) break;
        }
        Assert.Equal(new BigInteger(ids.Count), space.Size);
        int o = space.AllowedOps.Count, p = space.AllowedPoolings.Count;
        Assert.Equal(p * (o * 2 + o * 2 * o * 2 * 4), (int)space.Size); // depth 1: op x 2 skips; depth 2: that x op x 2 inputs x 4 skips
    }

    [Fact]
    public void Choices_round_trip_and_parse_checks_the_set()
    {
        var space = Space(NoGru, "max,mean");
        var rng = new Random(9);
        for (int i = 0; i < 60; i++)
        {
            var a = space.Sample(rng);
            Assert.Equal(a.ArchId, space.FromChoices(space.ToChoices(a)).ArchId);
            Assert.Equal(a, space.Parse(a.ToJson()));
            // the same architecture in the full space: same JSON, its own (canonical) indices
            var full = Space(null);
            Assert.Equal(a.ArchId, full.FromChoices(full.ToChoices(full.Parse(a.ToJson()))).ArchId);
        }
        string gru = """{"space": "text", "pooling": "max", "layers": [{"op": "conv_k3"}, {"op": "gru"}]}""";
        var e = Assert.Throws<NasOnnxException>(() => space.Parse(gru));
        Assert.Contains("Op 'gru' of layer 1 is not in this text space's ops (conv_k3, conv_k5", e.Message, StringComparison.Ordinal);
        Assert.Contains("ops", e.Fix, StringComparison.Ordinal);
        e = Assert.Throws<NasOnnxException>(() => space.Parse("""{"space": "text", "pooling": "max_mean", "layers": [{"op": "conv_k3"}]}"""));
        Assert.Contains("Pooling 'max_mean' of the architecture is not in this text space's poolings (max, mean)", e.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown op 'lstm'", Assert.Throws<NasOnnxException>(() => space.Parse("""{"space": "text", "pooling": "max", "layers": [{"op": "lstm"}]}""")).Message, StringComparison.Ordinal);
        // default options (retrain, export, predict parse with the data's): every op
        var parsed = Assert.IsType<TextArchitecture>(Space(null).Parse(gru));
        Assert.Equal("gru", parsed.Layers[1].Op);
        Assert.Throws<NasOnnxException>(() => space.ToChoices(parsed)); // not encodable in the restricted space
        var viaRegistry = SpaceRegistry.Parse(parsed.ToJson(), SpaceOptions.Text(500, 32, 4, 16, 4));
        Assert.Equal(parsed.ArchId, viaRegistry.ArchId);
    }


    private static LatencyTable Synthetic(ISearchSpace space) => NasOnnx.Tests.Latency.PredictorTests.Synthetic(space);

    [Fact]
    public void Latency_over_a_restricted_space_covers_its_ops_and_a_full_profile_serves_it()
    {
        var restrictedOptions = SpaceOptions.Text(30, 12, 3, 8, 3, "conv_k3,attention", "max");
        var restricted = (TextSpace)SpaceRegistry.Create("text", restrictedOptions);
        var model = SpaceLatency.Model(restricted, 1);
        var keys = model.Candidates().Select(c => c.Key.Op + "|" + c.Key.Args).ToHashSet();
        Assert.Equal(["add|2", "attention|h4", "conv_k3|s1", "embedding|v30_e8", "layer_norm|affine", "text_head|max"], keys.Order());
        var own = new LatencyPredictor(Synthetic(restricted), model, new LatencyCalibration(1.2, 0.1, 3, 0));
        var split = own.ChoiceLatencies();
        for (int d = 0; d < restricted.Decisions.Count; d++) Assert.Equal(restricted.Decisions[d].Choices.Count, split.Ms[d].Length);
        var fastest = FastestArchitecture.Find(restricted, own, samples: 100, restarts: 2);
        Assert.All(((TextArchitecture)fastest.Architecture).Layers, l => Assert.Contains(l.Op, restricted.AllowedOps));

        // a profile over every op serves the restricted search through the search space's model: its per-choice latencies
        // follow the search's decisions (conv_k3 is choice 0 here, choice 1 in the full space)
        var fullOptions = restrictedOptions with { Ops = null, Poolings = null };
        var full = SpaceRegistry.Create("text", fullOptions);
        var profiled = new LatencyPredictor(Synthetic(full), SpaceLatency.Model(full, 1), new LatencyCalibration(1.2, 0.1, 3, 0));
        var served = SpaceLatency.ForSpace(profiled, fullOptions, restricted, restrictedOptions);
        Assert.NotNull(served);
        Assert.NotSame(profiled, served);
        var servedSplit = served.ChoiceLatencies();
        for (int d = 0; d < restricted.Decisions.Count; d++) Assert.Equal(restricted.Decisions[d].Choices.Count, servedSplit.Ms[d].Length);
        var rng = new Random(3);
        for (int i = 0; i < 30; i++)
        {
            var a = restricted.Sample(rng);
            Assert.Equal(profiled.PredictMs(a), served.PredictMs(a), 12);
            if (((TextArchitecture)a).Layers.Count == 3) Assert.Equal(served.PredictMs(a), servedSplit.Of(restricted.ToChoices(a)), 9);
        }
        Assert.Same(profiled, SpaceLatency.ForSpace(profiled, fullOptions, full, fullOptions));
        // a profile over fewer ops than the search, or at another width, cannot serve it
        Assert.Null(SpaceLatency.ForSpace(own, restrictedOptions, full, fullOptions));
        var wider = fullOptions with { Width = 16 };
        Assert.Null(SpaceLatency.ForSpace(profiled, fullOptions, SpaceRegistry.Create("text", wider), wider));
    }

    private static NasOnnx.Pipeline.StageContext Stage(string? ops, string? poolings) => new()
    {
        PipelineName = "test", PipelineFile = "test.yaml", StageName = "search", Kind = "search", OutputDir = "", WorkDir = "", ProjectRoot = "",
        Inputs = new Dictionary<string, string>(), Seed = 1, Log = new NasOnnx.Tests.Pipeline.CollectingLog(),
        Params = new Dictionary<string, object?> { ["ops"] = ops, ["poolings"] = poolings },
    };

    [Fact]
    public void Stage_params_are_checked_before_any_stage_runs()
    {
        NasOnnx.Pipeline.Stages.DataSpaceOptions.ValidateTextParams(Stage(NoGru, "max"), "text");
        NasOnnx.Pipeline.Stages.DataSpaceOptions.ValidateTextParams(Stage(null, null), "darts");
        var e = Assert.Throws<NasOnnxException>(() => NasOnnx.Pipeline.Stages.DataSpaceOptions.ValidateTextParams(Stage("conv_k3,lstm", null), "text"));
        Assert.Contains("Unknown op 'lstm'", e.Message, StringComparison.Ordinal);
        Assert.Equal("search", e.Stage);
        e = Assert.Throws<NasOnnxException>(() => NasOnnx.Pipeline.Stages.DataSpaceOptions.ValidateTextParams(Stage(null, "max"), "darts"));
        Assert.Contains("poolings restrict the text space's decisions, but the stage searches the 'darts' space", e.Message, StringComparison.Ordinal);
        Assert.Contains("gru", Assert.Single(new NasOnnx.Pipeline.Stages.SearchStage().Params, p => p.Name == "ops").Description, StringComparison.Ordinal);
        Assert.Single(new NasOnnx.Pipeline.Stages.ProfileLatencyStage().Params, p => p.Name == "poolings");
    }

    [Fact]
    public void Name_list_params_take_a_yaml_list_or_comma_separated_names()
    {
        var spec = ParamSpec.NameList("ops", null, "");
        Assert.Equal("conv_k3,gru", spec.Convert(new List<string> { "conv_k3", " gru" }, out var problem));
        Assert.Null(problem);
        Assert.Equal("conv_k3,gru", spec.Convert("conv_k3, gru", out _));
        Assert.Equal("conv_k3,gru", spec.Convert("[conv_k3,gru]", out _));
        Assert.Equal("", spec.Convert(new List<string>(), out _)); // the space refuses the empty set, naming the ops
        Assert.Null(spec.Convert(new Dictionary<string, string>(), out problem));
        Assert.NotNull(problem);
    }
}

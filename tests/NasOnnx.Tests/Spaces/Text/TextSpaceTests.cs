using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>The text space without tensors: sampling, JSON, parse errors, decisions, mutation and crossover, options.</summary>
public class TextSpaceTests
{
    private static readonly SpaceOptions Options = SpaceOptions.Text(500, 32, 4, width: 16, depth: 4);

    private static TextSpace Space() => (TextSpace)SpaceRegistry.Create("text", Options);

    [Fact]
    public void Sampling_is_seeded_and_json_round_trips_with_a_stable_arch_id()
    {
        var space = Space();
        var a = space.Sample(new Random(42));
        Assert.Equal(a, space.Sample(new Random(42)));
        Assert.Matches("^[0-9a-f]{12}$", a.ArchId);
        Assert.Equal(a.ToJson(indented: false), space.Parse(a.ToJson()).ToJson(indented: false));
        // the registry parses it without options: the JSON carries vocabulary, length and classes
        var parsed = Assert.IsType<TextArchitecture>(SpaceRegistry.Parse(a.ToJson(indented: false)));
        Assert.Equal(a.ArchId, parsed.ArchId);
        Assert.Equal(32, parsed.SequenceLength);
        Assert.Equal(500, parsed.Config.Vocabulary);
        Assert.True(Enumerable.Range(0, 40).Select(i => space.Sample(new Random(i)).ArchId).ToHashSet().Count > 35);
        var depths = Enumerable.Range(0, 200).Select(i => ((TextArchitecture)space.Sample(new Random(i))).Layers.Count).ToHashSet();
        Assert.Equal([1, 2, 3, 4], depths.Order());
    }

    [Fact]
    public void Json_names_ops_inputs_skips_and_the_config()
    {
        var space = Space();
        var arch = new TextArchitecture(Options.Input, 4, space.Config, TextPooling.Max,
            [new TextLayer("conv_k3", 0, []), new TextLayer("attention", 1, [0]), new TextLayer("gru", 1, [2, 0])]);
        var root = JsonNode.Parse(arch.ToJson())!.AsObject();
        Assert.Equal("text", root["space"]!.GetValue<string>());
        Assert.Equal(32, root["input"]!["width"]!.GetValue<int>());
        Assert.Equal(500, root["config"]!["vocabulary"]!.GetValue<int>());
        Assert.Equal(16, root["config"]!["embed"]!.GetValue<int>());
        Assert.Equal(4, root["config"]!["heads"]!.GetValue<int>());
        Assert.True(root["config"]!["bidirectional"]!.GetValue<bool>());
        Assert.Equal("max", root["pooling"]!.GetValue<string>());
        Assert.Equal("[0,2]", root["layers"]![2]!["skips"]!.ToJsonString()); // canonical order
        Assert.Equal(arch, space.Parse(arch.ToJson()));
        // minimal JSON: config, input and classes from the space; input defaults to the previous node
        var minimal = space.Parse("""{"space": "text", "pooling": "mean", "layers": [{"op": "gru"}, {"op": "max_pool_k3", "skips": [0]}]}""");
        var m = Assert.IsType<TextArchitecture>(minimal);
        Assert.Equal([0, 1], m.Layers.Select(l => l.Input));
        Assert.Equal(space.Config, m.Config);
    }

    [Theory]
    [InlineData("""{"space": "chain", "layers": []}""", "space 'chain'")]
    [InlineData("""{"space": "text", "layers": [{"op": "lstm"}]}""", "Unknown op 'lstm'")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru"}, {"op": "gru"}, {"op": "gru"}, {"op": "gru", "input": 0}]}""", "outside its window")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru", "skips": [1]}]}""", "skip from node 1")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru", "skips": [0, 0]}]}""", "twice")]
    [InlineData("""{"space": "text", "layers": []}""", "0 layers")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru"}, {"op": "gru"}, {"op": "gru"}, {"op": "gru"}, {"op": "gru"}]}""", "5 layers")]
    [InlineData("""{"space": "text", "pooling": "median", "layers": [{"op": "gru"}]}""", "Unknown pooling")]
    [InlineData("""{"space": "text", "layers": {"op": "gru"}}""", "\"layers\" must be an array")]
    [InlineData("""{"space": "text", "layers": ["gru"]}""", "Layer 0 must be an object")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru", "input": "zero"}]}""", "must be an integer")]
    [InlineData("""{"space": "text", "config": {"vocabulary": 500, "width": 10, "heads": 4}, "layers": [{"op": "gru"}]}""", "attention heads")]
    [InlineData("""{"space": "text", "config": {"vocabulary": 500, "width": 5, "heads": 1}, "layers": [{"op": "gru"}]}""", "odd width")]
    [InlineData("""{"space": "text", "config": {"vocabulary": 500, "dropout": 1.5}, "layers": [{"op": "gru"}]}""", "dropout")]
    [InlineData("""{"space": "text", "config": {"vocabulary": 500, "bidirectional": "yes"}, "layers": [{"op": "gru"}]}""", "true or false")]
    [InlineData("""{"space": "text", "input": {"channels": 3, "height": 8, "width": 8}, "layers": [{"op": "gru"}]}""", "1 x 1 x sequence length")]
    [InlineData("""{"space": "text", "layers": [{"op": "gru"}], }""", null)]
    public void Bad_json_is_refused_naming_the_problem(string json, string? message)
    {
        if (message is null)
        {
            Assert.IsType<TextArchitecture>(Space().Parse(json)); // trailing commas are allowed, as in every space
            return;
        }
        var e = Assert.Throws<NasOnnxException>(() => Space().Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }

    [Fact]
    public void The_registry_needs_a_vocabulary_to_parse_without_options()
    {
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Parse("""{"space": "text", "input": {"channels": 1, "height": 1, "width": 8}, "classes": 2, "layers": [{"op": "gru"}]}"""));
        Assert.Contains("vocabulary", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_options_are_refused_and_image_spaces_are_unaffected()
    {
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Create("text", SpaceOptions.FashionMnist));
        Assert.Contains("takes text (token ids), the data is images", e.Message, StringComparison.Ordinal);
        Assert.Contains("darts", e.Fix, StringComparison.Ordinal); // names the image spaces to use instead
        var back = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Create("darts", SpaceOptions.Text(100, 8, 2)));
        Assert.Contains("use a space for text: text", back.Fix, StringComparison.Ordinal);
        Assert.True(((TextSpace)SpaceRegistry.Create("text")).Options.IsText); // no options: the space's own (text) defaults
        Assert.Contains("text", SpaceRegistry.Names);
        foreach (var image in new[] { "darts", "nb201", "chain", "macro" })
            Assert.Equal(image, SpaceRegistry.Parse(SpaceRegistry.Create(image).Sample(new Random(1)).ToJson()).Space);
    }

    [Fact]
    public void Decisions_are_depth_pooling_then_op_input_and_skips_per_layer()
    {
        var space = Space();
        var names = space.Decisions.Select(d => d.Name).ToList();
        Assert.Equal(["depth", "pooling", "layer0.op", "layer0.input", "layer0.skip_node0", "layer1.op", "layer1.input", "layer1.skip_node0", "layer1.skip_node1"], names.Take(9));
        Assert.Equal(["node3", "node2", "node1"], space.Decisions[names.IndexOf("layer3.input")].Choices);
        Assert.Contains("layer3.skip_node1", names);
        Assert.DoesNotContain("layer3.skip_node0", names); // window 3: layer 3 reads nodes 1..3
        Assert.Equal(TextSpace.OpNames, space.Decisions[space.OpDecision(2)].Choices);
        // size: 3 poolings x sum over depths of the layers' (8 ops x n inputs x 2^n skips) products
        BigInteger perLayer0 = 8 * 1 * 2, perLayer1 = 8 * 2 * 4, perLayer = 8 * 3 * 8;
        Assert.Equal(3 * (perLayer0 + perLayer0 * perLayer1 + perLayer0 * perLayer1 * perLayer + perLayer0 * perLayer1 * perLayer * perLayer), space.Size);
        Assert.Equal(new BigInteger(113_839_152), SpaceRegistry.Create("text", SpaceRegistry.Get("text").DefaultOptions).Size); // the README's 1.1e8
    }

    [Fact]
    public void Choices_round_trip()
    {
        var space = Space();
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var a = space.Sample(rng);
            int[] c = space.ToChoices(a);
            Assert.Equal(a.ArchId, space.FromChoices(c).ArchId);
            // decisions of layers past the depth are 0
            int depth = ((TextArchitecture)a).Layers.Count;
            if (depth < 4) Assert.All(c.Skip(space.OpDecision(depth)), x => Assert.Equal(0, x));
        }
    }

    [Fact]
    public void Mutation_changes_exactly_one_decision_and_crossover_takes_each_from_a_parent()
    {
        var space = Space();
        var rng = new Random(1);
        int depthChanges = 0;
        for (int i = 0; i < 200; i++)
        {
            var parent = (TextArchitecture)space.Sample(rng);
            var child = (TextArchitecture)space.Mutate(parent, rng);
            Assert.NotEqual(parent.ArchId, child.ArchId);
            int[] pc = space.ToChoices(parent), cc = space.ToChoices(child);
            // compare the decisions that apply to both: a shorter depth drops (zeroes) the decisions of the layers it removes
            int changed = Enumerable.Range(0, End(space, Math.Min(parent.Layers.Count, child.Layers.Count))).Count(d => pc[d] != cc[d]);
            Assert.Equal(1, changed);
            if (parent.Layers.Count != child.Layers.Count)
            {
                depthChanges++;
                int n = Math.Min(parent.Layers.Count, child.Layers.Count);
                Assert.Equal(parent.Layers.Take(n), child.Layers.Take(n));
                Assert.Equal(parent.Pooling, child.Pooling);
            }

            var other = space.Sample(rng);
            var x = space.Crossover(parent, other, rng);
            int[] xc = space.ToChoices(x), oc = space.ToChoices(other);
            int depth = ((TextArchitecture)x).Layers.Count;
            foreach (int d in Enumerable.Range(0, End(space, depth)))
                Assert.True(xc[d] == pc[d] || xc[d] == oc[d], $"decision {space.Decisions[d].Name}: {xc[d]} from neither parent ({pc[d]}, {oc[d]})");
            Assert.Equal(x.ArchId, space.Parse(x.ToJson()).ArchId);
        }
        Assert.True(depthChanges > 5);
    }

    /// <summary>One past the last decision of an architecture of <paramref name="depth"/> layers.</summary>
    private static int End(TextSpace space, int depth) => depth < space.Config.MaxDepth ? space.OpDecision(depth) : space.Decisions.Count;
}

using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Spaces;

public class SpaceTests
{
    public static TheoryData<string> Names() => new("darts", "nb201", "chain", "macro");

    [Theory]
    [MemberData(nameof(Names))]
    public void Sampling_is_seeded_and_json_round_trips_with_a_stable_arch_id(string name)
    {
        var space = SpaceRegistry.Create(name);
        var a = space.Sample(new Random(42));
        var b = space.Sample(new Random(42));
        Assert.Equal(a.ArchId, b.ArchId);
        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{12}$", a.ArchId);
        var parsed = space.Parse(a.ToJson());
        Assert.Equal(a.ArchId, parsed.ArchId);
        Assert.Equal(a.ToJson(indented: false), parsed.ToJson(indented: false));
        Assert.Equal(a.ArchId, SpaceRegistry.Parse(a.ToJson(indented: false)).ArchId);
        Assert.Equal(name, a.Space);
        var ids = Enumerable.Range(0, 40).Select(i => space.Sample(new Random(i)).ArchId).ToHashSet();
        Assert.True(ids.Count > 30);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Mutation_changes_exactly_one_decision_and_crossover_mixes_parents(string name)
    {
        var space = (IDecisionSpace)SpaceRegistry.Create(name);
        var mutable = (IMutableSpace)space;
        var rng = new Random(1);
        for (int i = 0; i < 30; i++)
        {
            var parent = space.Sample(rng);
            var child = mutable.Mutate(parent, rng);
            Assert.NotEqual(parent.ArchId, child.ArchId);
            int[] pc = space.ToChoices(parent), cc = space.ToChoices(child);
            int changed = pc.Zip(cc).Count(t => t.First != t.Second);
            if (name != "macro") Assert.Equal(1, changed); // macro: a depth change also zeroes decisions of dropped layers
            else Assert.True(changed >= 1);
            var other = space.Sample(rng);
            var x = mutable.Crossover(parent, other, rng);
            int[] xc = space.ToChoices(x), oc = space.ToChoices(other);
            if (name != "macro")
                for (int d = 0; d < xc.Length; d++) Assert.True(xc[d] == pc[d] || xc[d] == oc[d]);
            Assert.Equal(x.ArchId, space.Parse(x.ToJson()).ArchId);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Choices_round_trip_and_decisions_are_listed(string name)
    {
        var space = (IDecisionSpace)SpaceRegistry.Create(name);
        Assert.NotEmpty(space.Decisions);
        Assert.All(space.Decisions, d => Assert.True(d.Choices.Count >= 1));
        var rng = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            var a = space.Sample(rng);
            Assert.Equal(a.ArchId, space.FromChoices(space.ToChoices(a)).ArchId);
        }
        Assert.True(space.Size > 1);
    }

    [Fact]
    public void Space_sizes_match_the_papers()
    {
        Assert.Equal(new BigInteger(15625), SpaceRegistry.Create("nb201").Size);
        var darts = SpaceRegistry.Create("darts").Size;
        Assert.Equal(BigInteger.Pow(180 * BigInteger.Pow(7, 8), 2), darts); // about 1.1e18, as in DARTS
        Assert.Equal(4 * 6 + 9 * 7, ((IDecisionSpace)SpaceRegistry.Create("chain")).Decisions.Sum(d => d.Choices.Count)); // 13 layers; the first of each strided or widening stage (4) cannot skip
    }

    [Fact]
    public void Darts_json_uses_the_genotype_form_and_sorts_edges()
    {
        string json = """
        {"space":"darts","normal":[["skip_connect",1],["sep_conv_3x3",0],["sep_conv_3x3",0],["sep_conv_3x3",1],["skip_connect",0],["sep_conv_3x3",1],["dil_conv_3x3",2],["skip_connect",0]],
         "reduce":[["max_pool_3x3",0],["max_pool_3x3",1],["skip_connect",2],["max_pool_3x3",1],["max_pool_3x3",0],["skip_connect",2],["skip_connect",2],["max_pool_3x3",1]]}
        """;
        var a = (DartsArchitecture)SpaceRegistry.Parse(json);
        Assert.Equal(new DartsEdge("sep_conv_3x3", 0), a.Normal[0]);
        Assert.Equal(new DartsEdge("skip_connect", 1), a.Normal[1]);
        Assert.Equal(new InputShape(1, 28, 28), a.Input);
        Assert.Equal(new DartsConfig(16, 8), a.Config);
        var cifar = (DartsArchitecture)SpaceRegistry.Parse(json, SpaceOptions.Cifar10 with { Width = 36, Depth = 20 });
        Assert.Equal(new DartsConfig(36, 20), cifar.Config);
        Assert.NotEqual(a.ArchId, cifar.ArchId);
    }

    [Fact]
    public void Nb201_arch_string_follows_the_benchmark()
    {
        var a = new Nb201Architecture(new InputShape(3, 32, 32), 10, new Nb201Config(16, 5),
            ["nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect"]);
        Assert.Equal("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|", a.ArchString());
    }

    public static TheoryData<string, string> BadJson() => new()
    {
        { "{not json", "not valid JSON" },
        { "[1,2]", "must be an object" },
        { "{\"normal\":[]}", "no \"space\"" },
        { "{\"space\":\"resnet\"}", "Unknown search space 'resnet'" },
        { "{\"space\":\"nb201\",\"edges\":[\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\"]}", "has 5 edges" },
        { "{\"space\":\"nb201\",\"edges\":[\"conv_7x7\",\"none\",\"none\",\"none\",\"none\",\"none\"]}", "Unknown op 'conv_7x7'" },
        { "{\"space\":\"darts\",\"normal\":[[\"sep_conv_3x3\",0]],\"reduce\":[]}", "has 1 edges" },
        { "{\"space\":\"darts\",\"normal\":[[\"sep_conv_9x9\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1]],\"reduce\":[]}", "Unknown op 'sep_conv_9x9'" },
        { "{\"space\":\"darts\",\"normal\":[[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1]],\"reduce\":[]}", "input 0 twice" },
        { "{\"space\":\"darts\",\"normal\":[[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",2],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1],[\"sep_conv_3x3\",0],[\"sep_conv_3x3\",1]],\"reduce\":[]}", "takes input 2" },
        { "{\"space\":\"chain\",\"layers\":[\"skip\"]}", "has 1 layers" },
        { "{\"space\":\"macro\",\"layers\":[]}", "has 0 layers" },
        { "{\"space\":\"macro\",\"layers\":[{\"op\":\"conv_3x3\",\"width\":16,\"skips\":[]},{\"op\":\"conv_3x3\",\"width\":16,\"skips\":[1]},{\"op\":\"max_pool_3x3\"}]}", "skip from layer 1" },
        { "{\"space\":\"macro\",\"layers\":[{\"op\":\"conv_3x3\",\"width\":17},{\"op\":\"conv_3x3\"},{\"op\":\"conv_3x3\"}]}", "width 17" },
        { "{\"space\":\"nb201\",\"classes\":\"ten\",\"edges\":[]}", "\"classes\" must be an integer" },
    };

    [Theory]
    [MemberData(nameof(BadJson))]
    public void Parsing_rejects_bad_architectures_with_a_clear_message(string json, string expected)
    {
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Parse(json));
        Assert.Contains(expected, e.Message);
        Assert.False(string.IsNullOrEmpty(e.Fix));
    }

    [Fact]
    public void A_space_rejects_architectures_of_another_space()
    {
        var nb = SpaceRegistry.Create("nb201").Sample(new Random(1));
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Create("darts").Parse(nb.ToJson()));
        Assert.Contains("belongs to space 'nb201'", e.Message);
        Assert.Throws<NasOnnxException>(() => ((IMutableSpace)SpaceRegistry.Create("darts")).Mutate(nb, new Random(1)));
    }

    [Fact]
    public void Darts_rejects_none_in_a_derived_cell()
    {
        var a = SpaceRegistry.Create("darts").Sample(new Random(1));
        var o = JsonNode.Parse(a.ToJson())!.AsObject();
        o["normal"]![0]![0] = "none";
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Parse(o.ToJsonString()));
        Assert.Contains("'none'", e.Message);
    }

    [Fact]
    public void Chain_rejects_skip_where_the_shape_changes()
    {
        var a = SpaceRegistry.Create("chain").Sample(new Random(1));
        var o = JsonNode.Parse(a.ToJson())!.AsObject();
        o["layers"]![3] = "skip"; // first layer of the stride-2 stage
        var e = Assert.Throws<NasOnnxException>(() => SpaceRegistry.Parse(o.ToJsonString()));
        Assert.Contains("changes shape", e.Message);
    }
}

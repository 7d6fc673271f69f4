using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Networks;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Spaces;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>
/// A multi-trial search can start from given architectures (`initial_architectures`): they are evaluated first, the
/// strategy learns from them, a resumed search does not propose them again, and a file that is not a member of the
/// search space is refused with its name.
/// </summary>
public sealed class InitialArchitecturesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nasonnx-init-" + Guid.NewGuid().ToString("N"));

    public InitialArchitecturesTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string json)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static MultiTrialRunner Runner(FakeSpace space, ITrialProposer proposer, string? state, int? stopAfter, ICandidateFilter? filter = null) =>
        new(space, proposer, new CachingEvaluator(new FakeEvaluator(space), state is null ? null : Path.Combine(state, CachingEvaluator.FileName)), new SingleObjective(),
            new MultiTrialOptions { Trials = 20, Seed = 3, StateDir = state, StopAfterTrials = stopAfter, Fingerprint = "seeded", Filter = filter });

    /// <summary>Refuses every architecture with a choice 3 (a stand-in for the latency filter).</summary>
    private sealed class ChoiceThreeFilter : ICandidateFilter
    {
        public List<FakeArchitecture> Refused { get; } = [];
        public Rejection? Check(IArchitecture architecture)
        {
            var fake = (FakeArchitecture)architecture;
            if (!fake.Choices.Contains(3)) return null;
            Refused.Add(fake);
            return new Rejection(9, 1);
        }
    }

    [Fact]
    public void Mutations_of_the_seeds_fill_the_first_population_and_refused_ones_do_not_count()
    {
        var space = new FakeSpace();
        var seeds = new IArchitecture[] { new FakeArchitecture([0, 0, 0, 0, 0, 0, 0, 0]), new FakeArchitecture([2, 2, 2, 2, 2, 2, 2, 2]) };
        var filter = new ChoiceThreeFilter();
        var result = Runner(space, new SeededProposer(new EvolutionProposer(space, population: 8, sample: 3), seeds, space, mutations: 6), null, null, filter).Run();

        var trials = result.Trials.Where(t => t.Rung == 0).OrderBy(t => t.Number).ToList();
        Assert.Equal(seeds.Select(s => s.ArchId), trials.Take(2).Select(t => t.ArchId));
        var mutations = trials.Skip(2).Take(6).ToList();
        foreach (var (t, i) in mutations.Select((t, i) => (t, i)))
        {
            var parent = (FakeArchitecture)seeds[i % 2];
            Assert.Equal([parent.ArchId], t.Parents);
            Assert.Equal(1, t.Generation);
            var child = (FakeArchitecture)space.Parse(t.Architecture);
            Assert.Equal(1, child.Choices.Zip(parent.Choices).Count(p => p.First != p.Second)); // one decision changed
        }
        // some mutations of the seeds were refused, and still 6 were trained before evolution took over
        Assert.Contains(filter.Refused, r => seeds.Any(s => r.Choices.Zip(((FakeArchitecture)s).Choices).Count(p => p.First != p.Second) == 1));
        // after them the strategy proposes: evolution's own children, from the best members, whichever generation they are
        Assert.Contains(trials.Skip(8), t => t.Generation >= 2);
    }

    [Fact]
    public void Mutations_need_seeds_and_a_mutable_space()
    {
        var space = new FakeSpace();
        var none = Assert.Throws<NasOnnxException>(() => new SeededProposer(new RandomProposer(space), [], space, mutations: 3));
        Assert.Equal("initial_mutations is 3 and there are no initial architectures to mutate", none.Message);
        var sampleOnly = Assert.Throws<NasOnnxException>(() => new SeededProposer(new RandomProposer(space), [space.Sample(new Random(1))], new SampleOnlySpace(space), mutations: 3));
        Assert.Equal("initial_mutations needs a space with mutation; space 'sample-only' has none", sampleOnly.Message);
    }

    [Fact]
    public void Evolution_evaluates_the_seeds_first_and_keeps_them_in_its_first_population()
    {
        var space = new FakeSpace();
        var seeds = new IArchitecture[] { new FakeArchitecture([0, 0, 0, 0, 0, 0, 0, 0]), new FakeArchitecture([1, 1, 1, 1, 1, 1, 1, 1]) };
        var evolution = new EvolutionProposer(space, population: 6, sample: 2);
        var result = Runner(space, new SeededProposer(evolution, seeds), null, null).Run();

        var first = result.Trials.Where(t => t.Rung == 0).OrderBy(t => t.Number).ToList();
        Assert.Equal(seeds.Select(s => s.ArchId), first.Take(2).Select(t => t.ArchId));
        Assert.All(first.Take(2), t => Assert.Equal(0, t.Generation));
        Assert.Equal(20, first.Count);
        // without seeds the same search starts with other architectures
        var plain = Runner(space, new EvolutionProposer(space, population: 6, sample: 2), null, null).Run();
        Assert.DoesNotContain(plain.Trials.Take(2), t => seeds.Any(s => s.ArchId == t.ArchId));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_search_killed_during_or_after_the_seeds_and_their_mutations_resumes_to_the_uninterrupted_result(int every)
    {
        var space = new FakeSpace();
        var seeds = new IArchitecture[] { new FakeArchitecture([0, 0, 0, 0, 0, 0, 0, 0]), new FakeArchitecture([1, 2, 3, 0, 1, 2, 3, 0]) };
        ITrialProposer Proposer() => new SeededProposer(new EvolutionProposer(space, population: 6, sample: 2), seeds, space, mutations: 3);
        var reference = Runner(space, Proposer(), null, null).Run();
        string state = Path.Combine(_dir, "state");
        MultiTrialResult result;
        int runs = 0;
        do
        {
            result = Runner(space, Proposer(), state, every).Run();
            runs++;
        } while (result.Interrupted);
        Assert.True(runs > 2);
        Assert.Equal(reference.Trials.Select(t => (t.Number, t.ArchId, t.Generation)), result.Trials.Select(t => (t.Number, t.ArchId, t.Generation)));
        Assert.Equal(2, result.Trials.Count(t => seeds.Any(s => s.ArchId == t.ArchId)));
    }

    [Fact]
    public void A_fixed_depth_network_is_re_expressed_in_the_search_bounds_as_the_same_network()
    {
        // pipeline/archs/fashion-resnet.json: 9 layers, written with min_depth = max_depth = 9; the search allows 6-12
        string file = Path.Combine(ModelZooTests.RepoRoot, "pipeline", "archs", "fashion-resnet.json");
        var space = SpaceRegistry.Create("macro", new SpaceOptions(1, 28, 10, Width: 24, Depth: 12));
        var seed = Assert.Single(InitialArchitectures.Load(space, [file]));
        var written = SpaceRegistry.Parse(File.ReadAllText(file));
        Assert.NotEqual(written.ArchId, seed.ArchId);
        var choices = ((IDecisionSpace)space).ToChoices(seed);
        Assert.Equal(seed.ArchId, ((IDecisionSpace)space).FromChoices(choices).ArchId);
        using var a = NetworkFactory.Build(written, 0);
        using var b = NetworkFactory.Build(seed, 0);
        Assert.Equal(NetworkStats.Measure(a), NetworkStats.Measure(b));
        Assert.Equal(JsonNode.Parse(written.ToJson())!["layers"]!.ToJsonString(), JsonNode.Parse(seed.ToJson())!["layers"]!.ToJsonString());
    }

    [Fact]
    public void Files_that_are_not_members_of_the_search_space_are_refused_by_name()
    {
        var space = SpaceRegistry.Create("macro", new SpaceOptions(1, 28, 10, Width: 24, Depth: 12));
        var resnet = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelZooTests.RepoRoot, "pipeline", "archs", "fashion-resnet.json")))!.AsObject();

        var missing = Assert.Throws<NasOnnxException>(() => InitialArchitectures.Load(space, [Path.Combine(_dir, "none.json")]));
        Assert.Contains("none.json: the file does not exist", missing.Message);

        var chain = Write("chain.json", File.ReadAllText(Path.Combine(ModelZooTests.RepoRoot, "pipeline", "archs", "fashion-mobilenetv2.json")));
        var other = Assert.Throws<NasOnnxException>(() => InitialArchitectures.Load(space, [chain]));
        Assert.Contains("chain.json: it is an architecture of space 'chain', the search runs space 'macro'", other.Message);

        var wide = resnet.DeepClone().AsObject();
        wide["layers"]![0]!["width"] = 32; // the search's widths are 24, 48, 96
        var notMember = Assert.Throws<NasOnnxException>(() => InitialArchitectures.Load(space, [Write("wide.json", wide.ToJsonString())]));
        Assert.Contains("wide.json: not a member of the search space", notMember.Message);

        var stem = resnet.DeepClone().AsObject();
        stem["config"]!["stem_width"] = 48; // the same layers after another stem: another network in the search's bounds
        var another = Assert.Throws<NasOnnxException>(() => InitialArchitectures.Load(space, [Write("stem.json", stem.ToJsonString())]));
        Assert.Contains("stem.json: in the search's space bounds it is another network", another.Message);

        string same = Write("again.json", resnet.ToJsonString());
        var twice = Assert.Throws<NasOnnxException>(() => InitialArchitectures.Load(space, [same, same]));
        Assert.Contains("twice", twice.Message);
    }
}

using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Search;
using NasOnnx.Search.Latency;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Tests.Search.MultiTrial;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Plots;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Search.Latency;

/// <summary>A made-up latency for the fake space: 0.1 ms per unit of choice plus 0.2 ms fixed (0.2 .. 2.6 ms for 8 x 4).</summary>
public sealed class FakePredictor : ILatencyPredictor
{
    public int Calls { get; private set; }

    public double PredictMs(IArchitecture architecture)
    {
        Calls++;
        return 0.2 + 0.1 * ((FakeArchitecture)architecture).Choices.Sum();
    }
}

/// <summary>Reports accuracy and a fake latency_ms itself (as a stand-alone evaluator measuring the trained net would).</summary>
public sealed class FakeLatencyEvaluator(FakeSpace space) : IEvaluator
{
    private readonly FakePredictor _latency = new();
    public List<IArchitecture> Evaluated { get; } = [];

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        Evaluated.Add(architecture);
        return new Dictionary<string, double> { ["accuracy"] = space.Objective(architecture), [Objectives.LatencyMs] = _latency.PredictMs(architecture) };
    }
}

/// <summary>Latency objectives, pre-rejection, the unreachable-target check and the final choice, on fakes: no tensors, milliseconds.</summary>
public class LatencyObjectiveTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, double> O(double acc, double ms) => new() { ["accuracy"] = acc, [Objectives.LatencyMs] = ms };

    [Fact]
    public void Soft_latency_reward_is_mnasnet_acc_times_lat_over_t_to_the_w()
    {
        var soft = new CostAwareObjective(Objectives.LatencyMs, 2.0, -0.07);
        Assert.Equal(0.8 * Math.Pow(0.5, -0.07), soft.Score(O(0.8, 1.0)), 12); // under T: a small bonus
        Assert.Equal(0.8, soft.Score(O(0.8, 2.0)), 12);                         // at T: the accuracy
        Assert.Equal(0.8 * Math.Pow(2.0, -0.07), soft.Score(O(0.8, 4.0)), 12);  // twice T: about 5% less
        Assert.True(soft.Score(O(0.8, 1.0)) > soft.Score(O(0.8, 3.0)));
        Assert.Contains("latency_ms/2", soft.Name);
    }

    [Fact]
    public void Hard_latency_constraint_is_accuracy_under_t_and_divided_by_the_overshoot_over_it()
    {
        var hard = new CostAwareObjective(Objectives.LatencyMs, 2.0, -0.07, hard: true);
        Assert.Equal(0.8, hard.Score(O(0.8, 0.5)), 12);
        Assert.Equal(0.8, hard.Score(O(0.8, 2.0)), 12);
        Assert.Equal(0.8 * 2.0 / 3.0, hard.Score(O(0.8, 3.0)), 12);
        Assert.Contains("^hard", hard.Name);
    }

    [Fact]
    public void Pareto_reward_ranks_the_same_whatever_the_target()
    {
        var a = O(0.9, 3.0);
        var b = O(0.85, 1.0);
        var one = new CostAwareObjective(Objectives.LatencyMs, 1.0, -0.07);
        var other = new CostAwareObjective(Objectives.LatencyMs, 7.5, -0.07);
        Assert.Equal(one.Score(a) > one.Score(b), other.Score(a) > other.Score(b));
        Assert.Equal(one.Score(a) / one.Score(b), other.Score(a) / other.Score(b), 12);
    }

    private static MultiTrialResult RunFiltered(string strategy, FakeSpace space, IEvaluator evaluator, double limit, int trials, string? state = null, int? stopAfter = null,
        IRunLog? log = null, int? maxRejections = null, double floor = 0) =>
        new MultiTrialRunner(space, StrategyComparisonTests.Proposer(strategy, space), new CachingEvaluator(evaluator, state is null ? null : Path.Combine(state, CachingEvaluator.FileName)),
            new CostAwareObjective(Objectives.LatencyMs, limit, hard: true),
            new MultiTrialOptions
            {
                Trials = trials, Seed = 3, StateDir = state, StopAfterTrials = stopAfter, Fingerprint = strategy,
                Filter = new LatencyFilter(new FakePredictor(), limit, floor), Log = log, MaxRejectionsInARow = maxRejections,
            }).Run();

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void Candidates_predicted_over_the_limit_are_never_trained_and_do_not_use_the_budget(string strategy)
    {
        var space = new FakeSpace();
        var evaluator = new FakeLatencyEvaluator(space);
        var log = new CollectingLog();
        // 1.2 ms: sum of choices <= 10 of at most 24: most random architectures are over
        var result = RunFiltered(strategy, space, evaluator, limit: 1.2, trials: 15, log: log);
        Assert.Equal(15, result.Trials.Count);
        Assert.Equal(15, evaluator.Evaluated.Count);
        Assert.All(evaluator.Evaluated, a => Assert.True(new FakePredictor().PredictMs(a) <= 1.2, a.ArchId));
        Assert.True(result.Rejections > 15, $"{result.Rejections} rejections");
        Assert.Equal(result.Rejections + result.Repeats + 15, result.Proposals);
        Assert.Contains(log.Lines, l => l.Contains("rejected before training", StringComparison.Ordinal) && l.Contains("> limit 1.200 ms", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void With_a_floor_only_candidates_inside_the_band_are_trained(string strategy)
    {
        var space = new FakeSpace();
        var evaluator = new FakeLatencyEvaluator(space);
        var log = new CollectingLog();
        // the band 1.0-1.6 ms is choice sums 8-14 of 0-24: random proposals fall on both sides of it
        var result = RunFiltered(strategy, space, evaluator, limit: 1.6, trials: 15, log: log, floor: 1.0);
        Assert.Equal(15, evaluator.Evaluated.Count);
        Assert.All(evaluator.Evaluated, a => Assert.InRange(new FakePredictor().PredictMs(a), 1.0, 1.6));
        Assert.Contains(log.Lines, l => l.Contains("rejected before training", StringComparison.Ordinal) && l.Contains("< floor 1.000 ms", StringComparison.Ordinal));
        Assert.True(result.Rejections > 0);
    }

    [Fact]
    public void A_floor_above_every_architecture_stops_with_a_clear_error()
    {
        var space = new FakeSpace();
        var evaluator = new FakeLatencyEvaluator(space);
        var e = Assert.Throws<NasOnnxException>(() => RunFiltered("random", space, evaluator, limit: 10, trials: 5, maxRejections: 100, floor: 5));
        Assert.Contains("100 proposals in a row were predicted under the latency floor of 5.000 ms", e.Message);
        Assert.Contains("latency_floor", e.Fix);
        Assert.Empty(evaluator.Evaluated);
    }

    [Theory]
    [InlineData("evolution", 1)]
    [InlineData("reinforce", 2)]
    public void Rejection_counts_survive_a_resume_and_do_not_change_the_result(string strategy, int every)
    {
        var space = new FakeSpace(decisions: 6, choices: 4);
        var reference = RunFiltered(strategy, space, new FakeLatencyEvaluator(space), 1.0, 25);
        string state = _dir[$"{strategy}"];
        MultiTrialResult result;
        int runs = 0;
        do
        {
            result = RunFiltered(strategy, space, new FakeLatencyEvaluator(space), 1.0, 25, state, every);
            runs++;
        } while (result.Interrupted);
        Assert.True(runs > 3);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(reference.Trials), System.Text.Json.JsonSerializer.Serialize(result.Trials));
        Assert.Equal(reference.Rejections, result.Rejections);
        Assert.Equal(reference.Proposals, result.Proposals);
        Assert.True(result.Rejections > 0);
    }

    [Fact]
    public void An_unreachable_limit_stops_with_a_clear_error_instead_of_looping()
    {
        var space = new FakeSpace();
        var evaluator = new FakeLatencyEvaluator(space);
        var e = Assert.Throws<NasOnnxException>(() => RunFiltered("evolution", space, evaluator, limit: 0.1, trials: 5, maxRejections: 200));
        Assert.Contains("200 proposals in a row", e.Message);
        Assert.Contains("unreachable", e.Message);
        Assert.Contains("latency_target", e.Fix);
        Assert.Empty(evaluator.Evaluated);
    }

    [Fact]
    public void Reinforce_learns_from_a_rejection_without_moving_its_baseline()
    {
        var space = new FakeSpace(decisions: 3, choices: 4);
        var policy = new ReinforceProposer(space, new ReinforceOptions { Entropy = 0 });
        // no baseline yet: the sample is dropped, nothing learned
        var first = policy.Propose(new Random(1));
        policy.ObserveRejected(first, new Rejection(2.0, 1.0));
        Assert.Equal(0, policy.Updates);
        // a real reward sets the baseline
        var second = policy.Propose(new Random(2));
        policy.Observe(new Trial { Number = 1, ArchId = second.Architecture.ArchId, Architecture = second.Architecture.ToJson(false), Objectives = new(), Score = 0.8 }, second.Architecture);
        double baseline = policy.Baseline;
        var rejected = policy.Propose(new Random(3));
        int[] choices = space.ToChoices(rejected.Architecture);
        var before = policy.Probabilities();
        policy.ObserveRejected(rejected, new Rejection(2.0, 1.0)); // R = b * 1/2 < b
        var after = policy.Probabilities();
        Assert.Equal(baseline, policy.Baseline);
        Assert.Equal(2, policy.Updates);
        for (int d = 0; d < choices.Length; d++) Assert.True(after[d][choices[d]] < before[d][choices[d]], $"decision {d}");
    }

    [Fact]
    public void Reinforce_penalizes_a_sample_under_the_floor_by_how_far_under_it_is()
    {
        Assert.Equal(0.5, new Rejection(2.0, 1.0).Shortfall, 12);
        Assert.Equal(0.25, new Rejection(0.25, 1.0, BelowFloor: true).Shortfall, 12);
        var space = new FakeSpace(decisions: 3, choices: 4);
        var policy = new ReinforceProposer(space, new ReinforceOptions { Entropy = 0 });
        var first = policy.Propose(new Random(2));
        policy.Observe(new Trial { Number = 1, ArchId = first.Architecture.ArchId, Architecture = first.Architecture.ToJson(false), Objectives = new(), Score = 0.8 }, first.Architecture);
        var rejected = policy.Propose(new Random(3));
        int[] choices = space.ToChoices(rejected.Architecture);
        var before = policy.Probabilities();
        policy.ObserveRejected(rejected, new Rejection(0.5, 1.0, BelowFloor: true)); // R = b * 0.5 / 1 < b
        var after = policy.Probabilities();
        for (int d = 0; d < choices.Length; d++) Assert.True(after[d][choices[d]] < before[d][choices[d]], $"decision {d}");
    }

    [Fact]
    public void Fastest_architecture_of_the_fake_space_and_the_unreachable_message()
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        var fastest = FastestArchitecture.Find(space, new FakePredictor());
        Assert.Equal(0.2, fastest.Ms, 9); // all choices 0
        var e = Assert.Throws<NasOnnxException>(() => LatencyTargetCheck.EnsureReachable(space, new FakePredictor(), targetMs: 0.15));
        Assert.Contains("unreachable", e.Message);
        Assert.Contains("0.200 ms", e.Message);
        Assert.Contains("latency_target 0.150 ms", e.Message);
        Assert.Contains("at least 0.200 ms", e.Fix);
        var withMargin = Assert.Throws<NasOnnxException>(() => LatencyTargetCheck.EnsureReachable(space, new FakePredictor(), targetMs: 0.21, margin: 0.9));
        Assert.Contains("x latency_margin 0.9 = 0.189 ms", withMargin.Message);
        Assert.Equal(0.2, LatencyTargetCheck.EnsureReachable(space, new FakePredictor(), targetMs: 0.2).Ms, 9);
    }

    private static FinalCandidate Cand(int number, double p50, double target) =>
        new(new Trial { Number = number, ArchId = $"a{number}", Architecture = "{}", Objectives = new() { ["accuracy"] = 1.0 / number }, Score = 1.0 / number },
            0.5, p50, p50 * 1.2, p50 <= target);

    [Fact]
    public void Final_winner_is_the_most_preferred_candidate_whose_measured_p50_meets_the_target()
    {
        // best-scoring first: the best misses when measured, the second meets, the third meets
        var finals = new[] { Cand(1, 1.05, 1.0), Cand(2, 0.98, 1.0), Cand(3, 0.7, 1.0) };
        Assert.Equal("a2", FinalCandidates.Winner(finals)!.Trial.ArchId);
        Assert.Equal("a1", FinalCandidates.Winner([Cand(1, 1.0, 1.0), Cand(2, 0.5, 1.0)])!.Trial.ArchId); // p50 == T meets
        Assert.Null(FinalCandidates.Winner([Cand(1, 1.2, 1.0), Cand(2, 1.1, 1.0)]));

        FinalCandidates.Write(_dir["final.csv"], finals);
        var lines = File.ReadAllLines(_dir["final.csv"]);
        Assert.Equal("rank,trial,arch_id,score,accuracy,predicted_ms,measured_p50_ms,measured_p90_ms,meets_target", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.EndsWith(",false", lines[1]);
        Assert.EndsWith(",true", lines[2]);
    }

    [Fact]
    public void Pareto_front_keeps_the_non_dominated_points_and_ties()
    {
        ParetoPoint P(double acc, double ms) => new(acc, ms);
        var points = new[]
        {
            P(0.80, 1.0), // 0 front
            P(0.85, 2.0), // 1 front
            P(0.84, 2.5), // 2 dominated by 1
            P(0.90, 4.0), // 3 front
            P(0.85, 2.0), // 4 tie with 1: both kept
            P(0.80, 1.5), // 5 dominated by 0 (same accuracy, slower)
            P(0.70, 1.0), // 6 dominated by 0 (same latency, less accurate)
            P(double.NaN, 0.1), // 7 never on the front
        };
        Assert.True(ParetoFront.Dominates(points[1], points[2]));
        Assert.False(ParetoFront.Dominates(points[1], points[4]));
        Assert.False(ParetoFront.Dominates(points[0], points[1]));
        Assert.Equal([0, 1, 4, 3], ParetoFront.Indices(points));
        var front = ParetoFront.Indices(points);
        Assert.Equal(3, ParetoFront.MostAccurateUnder(points, front, null));
        Assert.Equal(1, ParetoFront.MostAccurateUnder(points, front, 3.0)); // tie 1/4: the lower index
        Assert.Equal(0, ParetoFront.MostAccurateUnder(points, front, 1.0));
        Assert.Null(ParetoFront.MostAccurateUnder(points, front, 0.5));
        Assert.Empty(ParetoFront.Indices([]));
    }

    [Fact]
    public void Pareto_plot_is_written()
    {
        var rng = new Random(4);
        var points = Enumerable.Range(0, 30).Select(_ => new ParetoPoint(rng.NextDouble(), 0.5 + rng.NextDouble())).ToList();
        var front = ParetoFront.Indices(points);
        string path = _dir["pareto.png"];
        ParetoPlot.Write(path, points, front, ParetoFront.MostAccurateUnder(points, front, 1.2), 1.2, "test");
        byte[] png = File.ReadAllBytes(path);
        Assert.True(png.Length > 5000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}

using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using Xunit.Abstractions;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>On the fake 8 x 4 space (65,536 architectures, one optimum) evolution and REINFORCE find the optimum
/// in far fewer evaluations than random search, averaged over 20 seeds.</summary>
public class StrategyComparisonTests(ITestOutputHelper output)
{
    private const int Seeds = 20;

    internal static ITrialProposer Proposer(string strategy, FakeSpace space) => strategy switch
    {
        "random" => new RandomProposer(space),
        "evolution" => new EvolutionProposer(space, population: 20, sample: 5, crossover: 0.2),
        "reinforce" => new ReinforceProposer(space, new ReinforceOptions { LearningRate = 0.1 }),
        _ => throw new ArgumentException(strategy),
    };

    /// <summary>Evaluations until the optimum is first evaluated (the budget, the whole space, when never).</summary>
    private static int EvaluationsToOptimum(string strategy, long seed)
    {
        var space = new FakeSpace();
        var evaluator = new FakeEvaluator(space);
        var result = new MultiTrialRunner(space, Proposer(strategy, space), evaluator, new SingleObjective(), new MultiTrialOptions
        {
            Trials = (int)space.Size,
            Seed = seed,
            MaxRepeats = 5000,
            StopWhen = t => space.IsOptimum(t.ArchId),
        }).Run();
        Assert.Empty(evaluator.Duplicates);
        var hit = result.Trials.FirstOrDefault(t => space.IsOptimum(t.ArchId));
        return hit?.Number ?? (int)space.Size;
    }

    [Fact]
    public void Evolution_and_reinforce_reach_the_optimum_in_fewer_evaluations_than_random_search()
    {
        var means = new Dictionary<string, double>();
        foreach (var strategy in new[] { "random", "evolution", "reinforce" })
        {
            var counts = Enumerable.Range(1, Seeds).Select(seed => EvaluationsToOptimum(strategy, seed)).ToList();
            means[strategy] = counts.Average();
            output.WriteLine($"{strategy,-10} mean evaluations to the optimum over {Seeds} seeds: {counts.Average(),8:0.0}  (median {counts.Order().ElementAt(Seeds / 2)}, min {counts.Min()}, max {counts.Max()})");
        }
        Assert.True(means["evolution"] < means["random"], $"evolution {means["evolution"]} vs random {means["random"]}");
        Assert.True(means["reinforce"] < means["random"], $"reinforce {means["reinforce"]} vs random {means["random"]}");
    }

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void Strategies_respect_the_budget_and_never_evaluate_a_duplicate(string strategy)
    {
        for (int seed = 1; seed <= 5; seed++)
        {
            // a large space: exactly the budget is spent
            var space = new FakeSpace();
            var evaluator = new FakeEvaluator(space);
            var result = new MultiTrialRunner(space, Proposer(strategy, space), evaluator, new SingleObjective(),
                new MultiTrialOptions { Trials = 60, Seed = seed }).Run();
            Assert.Equal(60, evaluator.Calls);
            Assert.Equal(60, result.Trials.Count);
            Assert.Empty(evaluator.Duplicates);
            Assert.Equal(60, result.Trials.Select(t => t.ArchId).Distinct().Count());

            // a space of 81 architectures and a budget of 200: repeats are skipped, never more than 81 evaluations
            var tiny = new FakeSpace(decisions: 4, choices: 3);
            var tinyEvaluator = new FakeEvaluator(tiny);
            var tinyResult = new MultiTrialRunner(tiny, Proposer(strategy, tiny), tinyEvaluator, new SingleObjective(),
                new MultiTrialOptions { Trials = 200, Seed = seed, MaxRepeats = 300 }).Run();
            Assert.Empty(tinyEvaluator.Duplicates);
            Assert.True(tinyEvaluator.Calls <= 81, $"{tinyEvaluator.Calls} evaluations");
            Assert.Equal(tinyEvaluator.Calls, tinyResult.Trials.Count);
            Assert.True(tinyResult.Repeats > 0);
        }
    }
}

using System.Globalization;
using NasOnnx.Pipeline;
using NasOnnx.Pipeline.Stages;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Data;
using NasOnnx.Architectures;
using NasOnnx.Supernets;
using NasOnnx.Plots;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>The strategies as the search stage runs them (params, capability checks, outputs) and derive, on the fake space.</summary>
public class StrategyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private SearchContext Context(ISearchSpace space, string strategy, params (string Name, object Value)[] overrides)
    {
        var values = new SearchStage().Params.ToDictionary(p => p.Name, p => p.Default);
        values["strategy"] = strategy;
        foreach (var (name, value) in overrides) values[name] = value;
        string output = _dir[$"{strategy}/out"];
        Directory.CreateDirectory(output);
        var stage = new StageContext
        {
            PipelineName = "t", PipelineFile = "t.yaml", StageName = "search", Kind = "search",
            OutputDir = output, WorkDir = _dir[$"{strategy}/work"], ProjectRoot = _dir.Path,
            Inputs = new Dictionary<string, string>(), Params = values, Seed = 5, Log = new CollectingLog(),
        };
        Directory.CreateDirectory(Path.Combine(stage.WorkDir, "state"));
        return new SearchContext
        {
            Params = stage, Log = stage.Log, Seed = stage.Seed, Cancellation = stage.Cancellation, StateDir = Path.Combine(stage.WorkDir, "state"), OutputDir = stage.OutputDir, Space = space, SpaceName = space.Name, SpaceOptions = SpaceOptions.FashionMnist,
            Data = new Lazy<LoadedData>(() => throw new InvalidOperationException("the fake space needs no data")),
        };
    }

    private static MultiTrialStrategy Strategy(string name, FakeSpace space, FakeEvaluator? evaluator = null) => name switch
    {
        "random" => new RandomStrategy { EvaluatorFactory = _ => evaluator ?? new FakeEvaluator(space) },
        "evolution" => new EvolutionStrategy { EvaluatorFactory = _ => evaluator ?? new FakeEvaluator(space) },
        _ => new ReinforceStrategy { EvaluatorFactory = _ => evaluator ?? new FakeEvaluator(space) },
    };

    [Fact]
    public void Catalog_lists_the_multi_trial_strategies_and_the_search_stage_takes_their_params()
    {
        Assert.Equal(["random", "evolution", "reinforce"], StrategyCatalog.All().Select(s => s.Name).Take(3));
        var names = new SearchStage().Params.Select(p => p.Name).ToHashSet();
        foreach (var p in new[] { "trials", "trial_epochs", "trial_data_fraction", "halving_epochs", "halving_eta", "population", "sample", "crossover",
                     "policy_lr", "policy_optimizer", "baseline_momentum", "entropy", "objective", "objective_target" })
            Assert.Contains(p, names);
    }

    [Theory]
    [InlineData("evolution", "mutation and crossover")]
    [InlineData("reinforce", "categorical decisions")]
    public void Strategies_refuse_a_space_without_the_capability_they_need(string strategy, string capability)
    {
        var space = new SampleOnlySpace(new FakeSpace());
        var e = Assert.Throws<NasOnnxException>(() => Strategy(strategy, new FakeSpace()).Run(Context(space, strategy)));
        Assert.Contains(capability, e.Message);
        Assert.Contains("'sample-only'", e.Message);
        Assert.Contains("random", e.Fix);
    }

    [Fact]
    public void Random_search_runs_on_a_sample_only_space()
    {
        var outcome = Strategy("random", new FakeSpace()).Run(Context(new SampleOnlySpace(new FakeSpace()), "random", ("trials", 12L)));
        Assert.Equal(12, outcome.Evaluations);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void Run_writes_the_search_log_the_progress_plot_and_an_outcome_that_derives(string strategy)
    {
        var space = new FakeSpace();
        var s = Strategy(strategy, space);
        var ctx = Context(space, strategy, ("trials", 30L), ("population", 8L));
        var outcome = s.Run(ctx);

        var lines = File.ReadAllLines(Path.Combine(ctx.OutputDir, SearchLog.FileName));
        Assert.Equal("trial,rung,arch_id,generation,parents,status,score,accuracy,params,failure,architecture", lines[0]);
        Assert.Equal(31, lines.Length);
        var png = File.ReadAllBytes(Path.Combine(ctx.OutputDir, SearchPlot.FileName));
        Assert.True(png.Length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        Assert.True(File.Exists(Path.Combine(ctx.StateDir, MultiTrialRunner.StateFile)));

        Assert.All(lines.Skip(1), l => Assert.Equal("ok", l.Split(',')[5]));
        double bestLogged = lines.Skip(1).Max(l => double.Parse(l.Split(',')[6], CultureInfo.InvariantCulture));
        Assert.Equal(bestLogged, outcome.BestObjectives["score"], 12);
        var best = s.Derive(outcome, space, new DeriveOptions { Rule = "best" });
        Assert.Equal(bestLogged, space.Objective(best) * 0.9, 12);
        if (strategy == "evolution")
        {
            Assert.Contains(lines.Skip(1), l => l.Split(',')[4].Length > 0); // children name their parents
            Assert.Contains(lines.Skip(1), l => int.Parse(l.Split(',')[3], CultureInfo.InvariantCulture) > 0);
        }

        var auto = s.Derive(outcome, space, new DeriveOptions());
        if (strategy == "reinforce")
        {
            var policy = outcome.Payload!.Value.GetProperty("policy");
            var argmax = policy.EnumerateArray().Select(d =>
            {
                var p = d.GetProperty("probabilities").EnumerateArray().Select(x => x.GetDouble()).ToArray();
                return Array.IndexOf(p, p.Max());
            }).ToArray();
            Assert.Equal(argmax, ((FakeArchitecture)auto).Choices);
        }
        else
        {
            Assert.Equal(best.ArchId, auto.ArchId);
            var e = Assert.Throws<NasOnnxException>(() => s.Derive(outcome, space, new DeriveOptions { Rule = "most-likely" }));
            Assert.Contains("best", e.Fix);
        }
    }

    [Fact]
    public void Successive_halving_gives_the_better_half_more_budget_and_picks_from_the_top_rung()
    {
        var space = new FakeSpace();
        var evaluator = new FakeEvaluator(space, rungs: 3);
        var result = new MultiTrialRunner(space, new RandomProposer(space), evaluator, new SingleObjective(),
            new MultiTrialOptions { Trials = 16, Seed = 3, HalvingEta = 2 }).Run();
        Assert.Equal([16, 8, 4], Enumerable.Range(0, 3).Select(r => result.Trials.Count(t => t.Rung == r)));
        Assert.Equal(28, evaluator.Calls);
        Assert.Equal(2, result.Best.Rung);
        var rung0 = result.Trials.Where(t => t.Rung == 0).OrderByDescending(t => t.Score).Take(8).Select(t => t.ArchId).Order();
        Assert.Equal(rung0, result.Trials.Where(t => t.Rung == 1).Select(t => t.ArchId).Order());
        Assert.Equal(result.Trials.Where(t => t.Rung == 2).Max(t => t.Score), result.Best.Score);
    }

    [Fact]
    public void Objectives_score_accuracy_alone_or_traded_against_a_cost()
    {
        var o = new Dictionary<string, double> { ["accuracy"] = 0.9, ["params"] = 100_000, ["macs"] = 1e6 };
        Assert.Equal(0.9, new SingleObjective().Score(o));
        Assert.Equal(0.9 * Math.Pow(2, -0.07), new CostAwareObjective("params", 50_000).Score(o), 12);
        Assert.Equal(0.9 * 0.5, new CostAwareObjective("params", 50_000, hard: true).Score(o), 12);
        Assert.Equal(0.9, new CostAwareObjective("macs", 2e6, hard: true).Score(o), 12);
        var e = Assert.Throws<NasOnnxException>(() => new SingleObjective("latency_ms").Score(o));
        Assert.Contains("latency_ms", e.Message);
    }

    [Fact]
    public void Search_stage_objective_params_choose_the_score()
    {
        var space = new FakeSpace();
        var e = Assert.Throws<NasOnnxException>(() => Strategy("random", space).Run(Context(space, "random", ("objective", "accuracy-params"))));
        Assert.Contains("objective_target", e.Message + e.Fix);

        var outcome = Strategy("random", space).Run(Context(space, "random", ("trials", 10L), ("objective", "accuracy-params"), ("objective_target", 1500.0)));
        var o = outcome.BestObjectives;
        Assert.Equal(o["accuracy"] * Math.Pow(o["params"] / 1500.0, -0.07), o["score"], 12);
        Assert.Contains("params/1500", outcome.Payload!.Value.GetProperty("objective").GetString());
    }

    [Fact]
    public void Reinforce_step_is_the_policy_gradient_with_entropy_bonus()
    {
        var space = new FakeSpace(decisions: 1, choices: 3);
        const double lr = 0.5, beta = 0.3;
        var p = new ReinforceProposer(space, new ReinforceOptions { Optimizer = "sgd", LearningRate = lr, Entropy = beta, BaselineMomentum = 0.9 });
        // first reward: the baseline starts at it, so only the entropy term moves the (uniform, maximal-entropy) logits: no change
        p.Propose(new Random(1));
        p.ObserveRepeat(null!, 0.5);
        Assert.All(p.Probabilities()[0], x => Assert.Equal(1.0 / 3, x, 12));
        // make the policy non-uniform, then check one step against finite differences of J = (R - b) log p(a) + beta H
        p.LoadState(new System.Text.Json.Nodes.JsonObject
        {
            ["logits"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonArray(0.3, -0.2, 0.1)),
            ["adam_m"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonArray(0.0, 0.0, 0.0)),
            ["adam_v"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonArray(0.0, 0.0, 0.0)),
            ["updates"] = 1, ["baseline"] = 0.5, ["has_baseline"] = true,
        }, []);
        double[] z = [0.3, -0.2, 0.1];
        int a = ((FakeArchitecture)p.Propose(new Random(2)).Architecture).Choices[0];
        const double reward = 0.8;
        double J(double[] logits)
        {
            var q = ReinforceProposer.Softmax(logits);
            return (reward - 0.5) * Math.Log(q[a]) + beta * -q.Sum(x => x * Math.Log(x));
        }
        p.ObserveRepeat(null!, reward);
        var after = ((System.Text.Json.Nodes.JsonArray)p.SaveState()!["logits"]!)[0]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        for (int j = 0; j < 3; j++)
        {
            double h = 1e-6;
            var plus = (double[])z.Clone(); plus[j] += h;
            var minus = (double[])z.Clone(); minus[j] -= h;
            double grad = (J(plus) - J(minus)) / (2 * h);
            Assert.Equal(z[j] + lr * grad, after[j], 8);
        }
        Assert.Equal(0.9 * 0.5 + 0.1 * reward, p.Baseline, 12);
    }
}

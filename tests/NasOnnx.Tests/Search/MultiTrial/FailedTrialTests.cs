using System.Globalization;
using NasOnnx.Pipeline;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Architectures;
using NasOnnx.Runtime;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>
/// A multi-trial candidate whose training diverges is a failed trial, not a failed search: recorded with its status and
/// reason, never ranked or derived, not trained again on resume unless retry_failed asks for it.
/// </summary>
public sealed class FailedTrialTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        FiniteGuard.Inject = null;
        _dir.Dispose();
    }

    /// <summary>Diverges for every architecture whose first choice is 0 (about a third of the fake space), counting real calls.</summary>
    private sealed class DivergingEvaluator(FakeSpace space, int rungs = 1) : IEvaluator
    {
        private readonly FakeEvaluator _inner = new(space, rungs);
        public bool Healthy { get; set; }
        public Dictionary<string, int> CallsById { get; } = [];
        public int Rungs => rungs;

        public static bool Diverges(IArchitecture a) => ((FakeArchitecture)a).Choices[0] == 0;

        public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
        {
            string key = $"{architecture.ArchId}@{rung}";
            CallsById[key] = CallsById.GetValueOrDefault(key) + 1;
            if (!Healthy && Diverges(architecture))
                throw new DivergedException(FiniteGuard.Train, "the loss became NaN", "epoch 1, step 3, lr 0.05");
            return _inner.Evaluate(architecture, rung, cancellation);
        }
    }

    private static MultiTrialRunner Runner(FakeSpace space, IEvaluator evaluator, string? stateDir, string strategy = "evolution", int trials = 30,
        int? stopAfter = null, bool retry = false, CollectingLog? log = null) =>
        new(space, StrategyComparisonTests.Proposer(strategy, space),
            new CachingEvaluator(evaluator, stateDir is null ? null : Path.Combine(stateDir, CachingEvaluator.FileName)),
            new SingleObjective(), new MultiTrialOptions
            {
                Trials = trials, Seed = 3, StateDir = stateDir, StopAfterTrials = stopAfter, Fingerprint = strategy, RetryFailed = retry, Log = log,
            });

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void A_diverged_candidate_is_recorded_as_failed_and_the_search_goes_on(string strategy)
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        var evaluator = new DivergingEvaluator(space, rungs: 2);
        var log = new CollectingLog();
        var result = Runner(space, evaluator, null, strategy, log: log).Run();

        var rung0 = result.Trials.Where(t => t.Rung == 0).ToList();
        Assert.Equal(30, rung0.Count); // failed trials count against the budget, and the search still spends all of it
        var failed = result.Trials.Where(t => t.Failed).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, t =>
        {
            Assert.Equal(Trial.Diverged, t.Status);
            Assert.Equal("training diverged: the loss became NaN at epoch 1, step 3, lr 0.05", t.Failure);
            Assert.Empty(t.Objectives);
            Assert.Equal(Trial.FailedScore, t.Score);
            Assert.True(DivergingEvaluator.Diverges(space.Parse(t.Architecture)));
        });
        Assert.All(result.Trials.Where(t => !t.Failed), t => Assert.False(DivergingEvaluator.Diverges(space.Parse(t.Architecture))));
        Assert.False(result.Best.Failed);
        Assert.DoesNotContain(result.Trials, t => t.Rung == 1 && t.Failed); // successive halving never promotes a failed trial
        Assert.Contains(log.Lines, l => l.Contains("FAILED, training diverged") && l.Contains("the search goes on"));

        SearchLog.Write(_dir["log.csv"], result.Trials);
        var rows = TestCsv.ReadRows(_dir["log.csv"]);
        var header = rows[0];
        int status = Array.IndexOf(header, "status"), failure = Array.IndexOf(header, "failure"), accuracy = Array.IndexOf(header, "accuracy");
        Assert.True(status > 0 && failure > 0 && accuracy > 0, string.Join(",", header));
        Assert.Equal(failed.Count, rows.Skip(1).Count(r => r[status] == "diverged" && r[failure].Contains("loss became NaN") && r[accuracy] == ""));
        Assert.Equal(result.Trials.Count - failed.Count, rows.Skip(1).Count(r => r[status] == "ok" && r[failure] == ""));
    }

    [Fact]
    public void A_resumed_search_does_not_retry_a_failed_trial_unless_asked()
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        string state = _dir["state"];
        var evaluator = new DivergingEvaluator(space);
        MultiTrialResult result;
        int runs = 0;
        do { result = Runner(space, evaluator, state, stopAfter: 4).Run(); runs++; } while (result.Interrupted);
        Assert.True(runs > 3);
        var failed = result.Trials.Where(t => t.Failed).Select(t => t.Number).ToList();
        Assert.NotEmpty(failed);
        Assert.All(evaluator.CallsById, c => Assert.Equal(1, c.Value)); // nothing, failed or not, was trained twice

        // the same search from its saved state: nothing trained again
        var again = new DivergingEvaluator(space);
        var same = Runner(space, again, state).Run();
        Assert.Empty(again.CallsById);
        Assert.Equal(failed, same.Trials.Where(t => t.Failed).Select(t => t.Number));

        // asked to retry (after a fix, here: the evaluator no longer diverges): each failed trial is trained once more, in place
        var fixedEvaluator = new DivergingEvaluator(space) { Healthy = true };
        var log = new CollectingLog();
        var retried = Runner(space, fixedEvaluator, state, retry: true, log: log).Run();
        Assert.Equal(failed.Count, fixedEvaluator.CallsById.Count);
        Assert.All(fixedEvaluator.CallsById.Values, n => Assert.Equal(1, n));
        Assert.DoesNotContain(retried.Trials, t => t.Failed);
        Assert.Equal(result.Trials.Select(t => (t.Number, t.ArchId)), retried.Trials.Select(t => (t.Number, t.ArchId)));
        Assert.All(failed, n => Assert.True(retried.Trials.Single(t => t.Number == n).Score > 0));
        Assert.Contains(log.Lines, l => l.Contains($"retrying failed trial {failed[0]}"));
    }

    [Fact]
    public void A_failure_reaches_the_cache_file_so_a_kill_right_after_it_does_not_retrain_it()
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        string file = _dir["cache/evaluations.jsonl"];
        var arch = space.FromChoices([0, 1, 2, 0, 1]);
        var first = new DivergingEvaluator(space);
        Assert.Throws<DivergedException>(() => new CachingEvaluator(first, file).Evaluate(arch, 0, default));

        var second = new DivergingEvaluator(space) { Healthy = true };
        var resumed = new CachingEvaluator(second, file);
        var e = Assert.Throws<DivergedException>(() => resumed.Evaluate(arch, 0, default));
        Assert.Equal("training diverged: the loss became NaN at epoch 1, step 3, lr 0.05", e.Message);
        Assert.Empty(second.CallsById);
        resumed.Forget(arch, 0);
        Assert.Equal(1.0 * space.Objective(arch) * 0.9, resumed.Evaluate(arch, 0, default)["accuracy"], 12);
    }

    [Fact]
    public void A_search_whose_every_trial_diverged_fails_with_what_to_try()
    {
        var space = new FakeSpace(decisions: 3, choices: 2);
        var runner = new MultiTrialRunner(space, new RandomProposer(space), new ThrowingEvaluator(), new SingleObjective(),
            new MultiTrialOptions { Trials = 3, Seed = 1 });
        var e = Assert.Throws<NasOnnxException>(() => runner.Run());
        Assert.Contains("all 3 trials failed", e.Message);
        Assert.Contains("NASONNX_NUMERICS=safe", e.Fix);
        Assert.Contains("retry_failed", e.Fix);
    }

    private sealed class ThrowingEvaluator : IEvaluator
    {
        public int Rungs => 1;
        public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation) =>
            throw new DivergedException(FiniteGuard.Train, "the gradient norm became NaN (loss 2.3)");
    }

    /// <summary>
    /// The real thing: random search with stand-alone training in the pipeline, the first trial's training made to diverge
    /// at its 2nd step. The stage completes, search_log.csv marks that trial diverged, the derived architecture is another.
    /// </summary>
    [Fact]
    public void In_a_real_search_stage_a_diverged_trial_is_logged_and_another_architecture_is_derived()
    {
        string file = EvolutionPipelineTests.Project(_dir, "div", strategy: "random", trials: 3, searchOnly: true);
        File.AppendAllText(file, """

              - name: derive
                kind: derive
                inputs: { search: search }
            """);
        FiniteGuard.Inject = (loop, call) => loop == FiniteGuard.Train && call == 2;
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var rows = TestCsv.ReadRows(_dir["runs/div/search/search_log.csv"]);
        int status = Array.IndexOf(rows[0], "status"), failure = Array.IndexOf(rows[0], "failure"), arch = Array.IndexOf(rows[0], "arch_id");
        Assert.Equal(4, rows.Count);
        Assert.Equal(["diverged", "ok", "ok"], rows.Skip(1).Select(r => r[status]));
        Assert.StartsWith("training diverged: the loss became NaN at epoch 1, step 2, lr ", rows[1][failure]);
        var outcome = SearchOutcome.Load(_dir["runs/div/search"]);
        Assert.NotEqual(rows[1][arch], SpaceRegistry.Load(_dir["runs/div/derive/architecture.json"]).ArchId);
        Assert.Equal(1, outcome.Payload!.Value.GetProperty("failed").GetInt32());
        Assert.Contains(log.Lines, l => l.Contains("1 of 3 trials diverged"));
        Assert.True(double.Parse(rows[2][Array.IndexOf(rows[0], "accuracy")], CultureInfo.InvariantCulture) > 0);
    }
}

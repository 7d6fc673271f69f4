using System.Text.Json;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>Simulated kills on the fake space: a search stopped after every few trials and resumed from its saved
/// state ends with exactly the trials of an uninterrupted run, and never re-evaluates what it evaluated before.</summary>
public class ResumeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Serialize(IReadOnlyList<Trial> trials) => JsonSerializer.Serialize(trials);

    private static MultiTrialResult Run(string strategy, FakeEvaluator evaluator, FakeSpace space, long seed, string? stateDir, int? stopAfter, int trials = 40) =>
        new MultiTrialRunner(space, StrategyComparisonTests.Proposer(strategy, space), new CachingEvaluator(evaluator, stateDir is null ? null : Path.Combine(stateDir, CachingEvaluator.FileName)),
            new SingleObjective(), new MultiTrialOptions { Trials = trials, Seed = seed, StateDir = stateDir, StopAfterTrials = stopAfter, Fingerprint = strategy }).Run();

    [Theory]
    [InlineData("random", 1)]
    [InlineData("evolution", 1)]
    [InlineData("evolution", 7)]
    [InlineData("reinforce", 1)]
    [InlineData("reinforce", 3)]
    public void Search_killed_every_few_trials_resumes_to_the_uninterrupted_result(string strategy, int every)
    {
        var space = new FakeSpace(decisions: 5, choices: 3); // small enough that REINFORCE and evolution see repeats
        var reference = Run(strategy, new FakeEvaluator(space, rungs: 3), space, seed: 11, stateDir: null, stopAfter: null);

        string state = _dir[$"{strategy}-{every}"];
        var evaluator = new FakeEvaluator(space, rungs: 3); // shared across "processes": counts every real evaluation
        MultiTrialResult result;
        int runs = 0;
        do
        {
            result = Run(strategy, evaluator, space, seed: 11, stateDir: state, stopAfter: every);
            runs++;
        } while (result.Interrupted);

        Assert.True(runs > 3, $"{runs} runs");
        Assert.Equal(Serialize(reference.Trials), Serialize(result.Trials));
        Assert.Equal(JsonSerializer.Serialize(reference.Best), JsonSerializer.Serialize(result.Best));
        Assert.Empty(evaluator.Duplicates);
        Assert.Equal(result.Trials.Count, evaluator.Calls);
        Assert.Contains(result.Trials, t => t.Rung == 2); // the successive-halving phase resumed too

        // the same log file
        SearchLog.Write(_dir["a.csv"], reference.Trials);
        SearchLog.Write(_dir["b.csv"], result.Trials);
        Assert.Equal(File.ReadAllText(_dir["a.csv"]), File.ReadAllText(_dir["b.csv"]));
    }

    /// <summary>Throws as Ctrl-C or SIGTERM would in the middle of the given evaluation (counted over all processes).</summary>
    private sealed class KilledAt(IEvaluator inner, int call) : IEvaluator
    {
        private int _calls;
        public int Rungs => inner.Rungs;

        public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
        {
            if (++_calls == call) throw new OperationCanceledException("killed mid-trial");
            return inner.Evaluate(architecture, rung, cancellation);
        }
    }

    [Theory]
    [InlineData("evolution", 5)]   // rung 0: a proposal in flight
    [InlineData("evolution", 41)]  // the first trial of rung 1
    [InlineData("evolution", 44)]  // later in rung 1
    [InlineData("evolution", 54)]  // rung 2
    [InlineData("random", 42)]
    public void Search_killed_in_the_middle_of_a_trial_resumes_it_once(string strategy, int killedCall)
    {
        // A kill during a trial (not between trials) leaves it in flight in the saved state; the resumed run trains it and
        // goes on. In a halving rung that trial must not be trained a second time (it once was: the rung's to-do list still
        // named it after it had been observed).
        var space = new FakeSpace(decisions: 5, choices: 3);
        var reference = Run(strategy, new FakeEvaluator(space, rungs: 3), space, seed: 11, stateDir: null, stopAfter: null);
        Assert.True(reference.Trials.Count >= killedCall, $"{reference.Trials.Count} trials");

        string state = _dir[$"killed-{strategy}-{killedCall}"];
        var evaluator = new FakeEvaluator(space, rungs: 3);
        var killing = new KilledAt(evaluator, killedCall);
        var options = new MultiTrialOptions { Trials = 40, Seed = 11, StateDir = state, Fingerprint = strategy };
        MultiTrialRunner Runner() => new(space, StrategyComparisonTests.Proposer(strategy, space),
            new CachingEvaluator(killing, Path.Combine(state, CachingEvaluator.FileName)), new SingleObjective(), options);

        Assert.Throws<OperationCanceledException>(() => Runner().Run());
        var pending = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(state, MultiTrialRunner.StateFile)))!["pending"];
        Assert.Equal(reference.Trials[killedCall - 1].ArchId, Assert.Single(pending!.AsArray())!["arch_id"]!.GetValue<string>());

        var result = Runner().Run();
        Assert.Equal(Serialize(reference.Trials), Serialize(result.Trials));
        Assert.Equal(result.Trials.Count, result.Trials.Select(t => (t.Rung, t.ArchId)).Distinct().Count());
        Assert.Empty(evaluator.Duplicates);
        Assert.Equal(result.Trials.Count, evaluator.Calls);
    }

    [Fact]
    public void Evaluation_finished_before_a_kill_is_reused_from_the_cache_file()
    {
        var space = new FakeSpace();
        var first = new FakeEvaluator(space);
        string file = _dir["cache/evaluations.jsonl"];
        var cache = new CachingEvaluator(first, file);
        var a = space.Sample(new Random(1));
        var expected = cache.Evaluate(a, 0, default);
        File.AppendAllText(file, "{\"key\":\"torn"); // a line cut by a kill

        var second = new FakeEvaluator(space);
        var resumed = new CachingEvaluator(second, file);
        Assert.Equal(expected, resumed.Evaluate(a, 0, default));
        Assert.Equal(0, second.Calls);
        resumed.Evaluate(space.Sample(new Random(2)), 0, default);
        Assert.Equal(1, second.Calls);
        Assert.Equal(2, new CachingEvaluator(new FakeEvaluator(space), file).Count);
    }

    [Fact]
    public void State_of_other_params_is_not_resumed()
    {
        var space = new FakeSpace();
        string state = _dir["s"];
        var partial = new MultiTrialRunner(space, new RandomProposer(space), new FakeEvaluator(space), new SingleObjective(),
            new MultiTrialOptions { Trials = 10, Seed = 1, StateDir = state, StopAfterTrials = 4, Fingerprint = "a" }).Run();
        Assert.True(partial.Interrupted);
        var log = new NasOnnx.Tests.Pipeline.CollectingLog();
        var other = new MultiTrialRunner(space, new RandomProposer(space), new FakeEvaluator(space), new SingleObjective(),
            new MultiTrialOptions { Trials = 10, Seed = 1, StateDir = state, Fingerprint = "b", Log = log }).Run();
        Assert.Equal(10, other.Trials.Count);
        Assert.Contains(log.Lines, l => l.Contains("starting over"));
    }
}

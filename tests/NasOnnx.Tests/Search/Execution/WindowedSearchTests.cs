using System.Text.Json;
using NasOnnx.Pipeline;
using NasOnnx.Search.Execution;
using NasOnnx.Search;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Tests.Search.MultiTrial;

namespace NasOnnx.Tests.Search.Execution;

/// <summary>
/// max_concurrent on the fake space: with trials in flight finishing in any order, random search, evolution and REINFORCE
/// make exactly the proposals and write exactly the log of the in-process executor at the same max_concurrent; a job that
/// ends without a result is retried and then recorded as failed; a killed driver re-attaches to its jobs and trains nothing twice.
/// </summary>
public class WindowedSearchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static MultiTrialResult Run(string strategy, FakeSpace space, IEvaluator evaluator, ITrialExecutor? executor, int maxConcurrent,
        string? stateDir = null, int? stopAfter = null, int retries = 2, int trials = 30) =>
        new MultiTrialRunner(space, StrategyComparisonTests.Proposer(strategy, space), evaluator, new SingleObjective(), new MultiTrialOptions
        {
            Trials = trials, Seed = 3, Executor = executor, MaxConcurrent = maxConcurrent, Retries = retries,
            StateDir = stateDir, StopAfterTrials = stopAfter, Fingerprint = strategy,
        }).Run();

    private string Log(MultiTrialResult result, string name)
    {
        string path = _dir[name + ".csv"];
        SearchLog.Write(path, result.Trials);
        return File.ReadAllText(path);
    }

    [Theory]
    [InlineData("random", 4)]
    [InlineData("evolution", 4)]
    [InlineData("evolution", 7)]
    [InlineData("reinforce", 4)]
    [InlineData("reinforce", 2)]
    public void Trials_finishing_in_any_order_give_the_search_of_the_local_executor(string strategy, int maxConcurrent)
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        var local = Run(strategy, space, new FakeEvaluator(space, rungs: 3), null, maxConcurrent);
        string expected = Log(local, "local");
        for (int seed = 1; seed <= 3; seed++)
        {
            var evaluator = new FakeEvaluator(space, rungs: 3);
            var executor = new ScrambledExecutor(evaluator, seed);
            var parallel = Run(strategy, space, evaluator, executor, maxConcurrent);
            Assert.Equal(expected, Log(parallel, $"scrambled{seed}"));
            Assert.Empty(evaluator.Duplicates);
            // they really finished out of order
            Assert.NotEqual(parallel.Trials.Select(t => t.ArchId), executor.FinishOrder);
        }
        Assert.Contains(local.Trials, t => t.Rung == 2); // successive halving ran through the window too
    }

    [Fact]
    public void With_one_trial_in_flight_the_search_is_the_one_it_always_was()
    {
        // max_concurrent 1 proposes after every observation: the sequential search of before executors existed
        var space = new FakeSpace(decisions: 5, choices: 3);
        var plain = new MultiTrialRunner(space, StrategyComparisonTests.Proposer("evolution", space), new FakeEvaluator(space), new SingleObjective(),
            new MultiTrialOptions { Trials = 30, Seed = 3 }).Run();
        var evaluator = new FakeEvaluator(space);
        var windowed = Run("evolution", space, evaluator, new ScrambledExecutor(evaluator, 1), 1);
        Assert.Equal(Log(plain, "plain"), Log(windowed, "windowed"));
        Assert.NotEqual(Log(plain, "plain"), Log(Run("evolution", space, new FakeEvaluator(space), null, 4), "window4"));
    }

    [Fact]
    public void A_job_that_ends_without_a_result_is_retried_then_recorded_as_failed_and_the_search_goes_on()
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        var evaluator = new FakeEvaluator(space);
        var executor = new ScrambledExecutor(evaluator, 5);
        executor.Failures[(3, 1)] = "Slurm job 17 ended TIMEOUT";          // retried once, then fine
        executor.Failures[(5, 1)] = "Slurm job 20 ended CANCELLED";        // fails on every attempt
        executor.Failures[(5, 2)] = "Slurm job 25 ended NODE_FAIL";
        executor.Failures[(5, 3)] = "Slurm job 31 ended OUT_OF_MEMORY";
        var result = Run("evolution", space, evaluator, executor, 3, retries: 2, trials: 12);

        Assert.Equal(12, result.Trials.Count);
        var t3 = result.Trials.Single(t => t.Number == 3);
        Assert.Equal(Trial.Ok, t3.Status);
        var t5 = result.Trials.Single(t => t.Number == 5);
        Assert.Equal(Trial.JobFailed, t5.Status);
        Assert.Equal(Trial.FailedScore, t5.Score);
        Assert.Contains("3 attempts failed", t5.Failure);
        Assert.Contains("OUT_OF_MEMORY", t5.Failure);
        Assert.NotEqual(t5.ArchId, result.Best.ArchId);
        Assert.Equal(12 + 1 + 2, executor.Submissions);
        Assert.Contains("job_failed", Log(result, "failed"));
    }

    [Theory]
    [InlineData("evolution", 1)]
    [InlineData("reinforce", 2)]
    [InlineData("random", 3)]
    public void A_driver_killed_with_trials_in_flight_re_attaches_to_them_and_trains_nothing_twice(string strategy, int every)
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        string expected = Log(Run(strategy, space, new FakeEvaluator(space, rungs: 2), null, 4), "local");

        var evaluator = new FakeEvaluator(space, rungs: 2);
        var executor = new ScrambledExecutor(evaluator, 9); // the "cluster": its jobs outlive each driver
        string state = _dir[$"state-{strategy}"];
        MultiTrialResult result;
        int drivers = 0, killedWithJobsInFlight = 0;
        do
        {
            result = Run(strategy, space, new CachingEvaluator(evaluator, Path.Combine(state, CachingEvaluator.FileName)), executor, 4, state, stopAfter: every);
            drivers++;
            if (result.Interrupted && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(state, MultiTrialRunner.StateFile)))!["pending"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } p
                && p.All(x => x!["job_id"] is not null))
                killedWithJobsInFlight++; // their job ids were saved
        } while (result.Interrupted);

        Assert.True(drivers > 5, $"{drivers} drivers");
        Assert.True(killedWithJobsInFlight > drivers / 2, $"{killedWithJobsInFlight} of {drivers} drivers stopped with jobs in flight");
        Assert.Equal(expected, Log(result, "resumed"));
        Assert.Empty(evaluator.Duplicates);
        Assert.Equal(result.Trials.Count, executor.Submissions); // every trial submitted once, over all the drivers
    }

    [Fact]
    public void Ctrl_c_cancels_the_jobs_in_flight_and_they_are_submitted_afresh_on_resume()
    {
        var space = new FakeSpace(decisions: 5, choices: 3);
        string expected = Log(Run("evolution", space, new FakeEvaluator(space), null, 3, trials: 15), "local");
        var evaluator = new FakeEvaluator(space);
        var executor = new ScrambledExecutor(evaluator, 2);
        string state = _dir["ctrl-c"];
        using var cts = new CancellationTokenSource();
        int observed = 0;
        var runner = new MultiTrialRunner(space, StrategyComparisonTests.Proposer("evolution", space), evaluator, new SingleObjective(), new MultiTrialOptions
        {
            Trials = 15, Seed = 3, Executor = executor, MaxConcurrent = 3, StateDir = state, Fingerprint = "evolution", Cancellation = cts.Token,
            StopWhen = _ => { if (++observed == 5) cts.Cancel(); return false; },
        });
        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run());
        Assert.True(executor.Cancelled > 0, "nothing was in flight to cancel"); // jobs still running when Ctrl-C came
        var pending = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(state, MultiTrialRunner.StateFile)))!["pending"]!.AsArray();
        Assert.NotEmpty(pending);
        Assert.All(pending, p => Assert.Null(p!["job_id"])); // submitted afresh on resume

        var resumed = Run("evolution", space, evaluator, executor, 3, state, trials: 15);
        Assert.Equal(expected, Log(resumed, "resumed"));
        Assert.DoesNotContain(resumed.Trials, t => t.Failed); // a cancellation is not a failure
    }

    [Fact]
    public void Executor_params_are_checked_and_say_how_not_what()
    {
        var names = ExecutorSettings.Params.Where(p => p.ExecutionOnly).Select(p => p.Name).ToList();
        Assert.Contains("executor", names);
        Assert.Contains("slurm_time", names);
        Assert.DoesNotContain("max_concurrent", names); // the window changes the search
        Assert.DoesNotContain("trial_threads", names);  // threads change the float arithmetic
        var space = new FakeSpace();
        Assert.Throws<NasOnnxException>(() => Run("random", space, new FakeEvaluator(space), null, 0));
    }
}

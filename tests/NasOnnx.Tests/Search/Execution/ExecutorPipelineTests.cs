using System.Diagnostics;
using System.Text.Json.Nodes;
using NasOnnx.Artifacts;
using NasOnnx.Search.Execution;
using NasOnnx.Pipeline;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Tests.Search.MultiTrial;

namespace NasOnnx.Tests.Search.Execution;

/// <summary>
/// Real searches (real training of tiny networks) through each executor: worker processes on this machine and a real Slurm
/// cluster (tests/tools/slurm-start.sh). Same seed, same max_concurrent: the same search.json and search_log.csv as the
/// in-process executor. Jobs cancelled, over their time limit, a driver SIGKILLed mid-search, a stage run as a Slurm job.
/// </summary>
[Collection(SlurmCollection.Name)]
public class ExecutorPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const int Trials = 5;

    private static string[] Sets(string executor, params string[] more) =>
        ["search.max_concurrent=2", "search.trial_threads=1", $"search.executor={executor}", "search.halving_epochs=[1,2]", .. more];

    /// <summary>search.json without its wall-time field, and search_log.csv.</summary>
    private static (string Search, string Log) Outputs(string runDir)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "search", "search.json")))!.AsObject();
        node.Remove("seconds");
        return (node.ToJsonString(), File.ReadAllText(Path.Combine(runDir, "search", "search_log.csv")));
    }

    private (string Search, string Log) Reference(string strategy)
    {
        using var dir = new TempDir();
        string file = EvolutionPipelineTests.Project(dir, "x", strategy, Trials, searchOnly: true);
        var registry = StageCatalog.CreateRegistry();
        new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions { Sets = Sets("local") });
        return Outputs(dir["runs/x"]);
    }

    private (CollectingLog Log, RunResult Result) RunInProcess(string file, params string[] sets)
    {
        var registry = StageCatalog.CreateRegistry();
        var log = new CollectingLog();
        var result = new PipelineRunner(registry, log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions { Sets = sets });
        return (log, result);
    }

    [Fact]
    public void Worker_processes_give_the_search_of_the_local_executor()
    {
        var expected = Reference("evolution");
        string file = EvolutionPipelineTests.Project(_dir, "x", "evolution", Trials, searchOnly: true);
        var (log, _) = RunInProcess(file, Sets("processes"));
        Assert.Equal(expected, Outputs(_dir["runs/x"]));
        Assert.Contains(log.Lines, l => l.Contains("trials run on the processes executor: up to 2 at once, 1 thread each", StringComparison.Ordinal));

        // the executor says how, not what: switching it does not re-run the stage
        string lockBefore = File.ReadAllText(_dir["runs/x/pipeline.lock"]);
        var (again, result) = RunInProcess(file, Sets("local"));
        Assert.True(StageOutcome.Skipped == result.Stages.Single(s => s.Stage == "search").Outcome, string.Join("\n", again.Lines.Take(5)) + lockBefore);
    }

    [Fact]
    public void Bench_executors_runs_the_search_on_each_executor_side_by_side()
    {
        EvolutionPipelineTests.Project(_dir, "x", "evolution", 3, searchOnly: true);
        string csv = _dir["bench.csv"];
        var (code, output) = CliProcess.Run(_dir.Path, "bench", "executors", "pipeline/x.yaml", "--executors", "processes,local", "--runs-dir", _dir["bench-runs"], "--out", csv);
        Assert.True(code == 0, output);
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["processes", "local"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal("3", r[1]));
        Assert.All(rows, r => Assert.Equal("yes", r[^1]));
        Assert.True(File.Exists(_dir["bench-runs/search-processes/trial_timing.csv"]));
    }

    [Fact]
    public void A_one_shot_strategy_with_a_parallel_executor_is_refused_before_any_stage_runs()
    {
        string file = EvolutionPipelineTests.Project(_dir, "x", "random", 2, searchOnly: true);
        var e = Assert.Throws<NasOnnxException>(() => RunInProcess(file, "search.strategy=darts", "search.space=darts", "search.executor=processes"));
        Assert.Equal("search", e.Stage);
        Assert.Contains("resources: block", e.Fix);
        Assert.False(Directory.Exists(_dir["runs/x/data"]), "refused before the first stage ran");
    }

    [Fact]
    public void Slurm_missing_is_one_clear_message_naming_the_command()
    {
        // a PATH with dotnet and nothing else: no sbatch, squeue, scontrol
        string bin = _dir["bin"];
        Directory.CreateDirectory(bin);
        string dotnet = Path.GetFullPath(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "/usr/bin/dotnet");
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet);
        EvolutionPipelineTests.Project(_dir, "x", "random", 2, searchOnly: true);
        var (code, output) = CliProcess.Run(_dir.Path, new Dictionary<string, string> { ["PATH"] = bin }, "run", "pipeline/x.yaml", "--set", "search.executor=slurm");
        Assert.Equal(1, code);
        Assert.Contains("`sbatch` was not found", output);
        Assert.Contains("executor: processes or local", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(_dir["runs/x/search"]), "no half-written search output");
    }

    [SkippableTheory]
    [InlineData("evolution")]
    [InlineData("reinforce")]
    public void Slurm_jobs_give_the_search_of_the_local_executor(string strategy)
    {
        SlurmCluster.Require();
        var expected = Reference(strategy);
        string file = EvolutionPipelineTests.Project(_dir, "x", strategy, Trials, searchOnly: true);
        var (log, _) = RunInProcess(file, Sets("slurm", "search.slurm_time=00:10:00"));
        Assert.Equal(expected, Outputs(_dir["runs/x"]));
        // one job per evaluation (5 trials + the better half at the second rung), none twice
        Assert.Equal(Trials + 3, log.Lines.Count(l => l.Contains("submitted as Slurm job", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void Cancelled_and_timed_out_jobs_are_retried_then_recorded_with_the_schedulers_reason()
    {
        SlurmCluster.Require();
        string file = EvolutionPipelineTests.Project(_dir, "x", "evolution", Trials, searchOnly: true);
        // trial 2 holds on every attempt and is scancel'ed each time; trial 3 holds on its first attempt past its 1-minute limit
        var env = new Dictionary<string, string> { [TrialWorker.HoldVariable] = "2:600:all,3:600" };
        string[] args = ["run", "pipeline/x.yaml", .. Sets("slurm", "search.retries=1", "search.slurm_time=1").SelectMany(s => new[] { "--set", s })];
        using var driver = CliProcess.Start(_dir.Path, env, args);
        var output = driver.StandardOutput.ReadToEndAsync();
        var errors = driver.StandardError.ReadToEndAsync();
        var cancelled = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        while (!driver.HasExited && watch.Elapsed < TimeSpan.FromMinutes(6))
        {
            foreach (var id in HeldJobs(_dir["runs/x/.work/search/state/trials"], "test hold: trial 2 ").Where(cancelled.Add))
                SlurmClient.Cancel([id]);
            Thread.Sleep(500);
        }
        if (!driver.HasExited) { driver.Kill(entireProcessTree: true); Assert.Fail("the search did not finish in 6 minutes:\n" + output.Result); }
        string all = output.Result + errors.Result;
        Assert.True(driver.ExitCode == 0, all);
        Assert.Equal(2, cancelled.Count); // the first attempt and its one retry

        var rows = File.ReadAllLines(_dir["runs/x/search/search_log.csv"]).Skip(1).Select(l => l.Split(',')).ToList();
        var t2 = rows.Single(r => r[0] == "2" && r[1] == "0");
        Assert.Equal("job_failed", t2[5]);
        Assert.Contains("2 attempts failed", string.Join(",", t2));
        Assert.Contains("CANCELLED", string.Join(",", t2));
        Assert.Equal("ok", rows.Single(r => r[0] == "3" && r[1] == "0")[5]);
        Assert.Contains("TIMEOUT", all);
        Assert.Contains("retry 1 of 1", all);
        Assert.Equal(Trials, rows.Count(r => r[1] == "0"));
    }

    /// <summary>Trials in flight with a job id in a saved search state.</summary>
    private static int PendingJobs(string statePath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(statePath))?["pending"] is JsonArray pending ? pending.Count(p => p?["job_id"] is not null) : 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Slurm job ids whose output shows the test hold of a given trial.</summary>
    private static IEnumerable<string> HeldJobs(string trialsDir, string marker)
    {
        if (!Directory.Exists(trialsDir)) yield break;
        foreach (var f in Directory.EnumerateFiles(trialsDir, "slurm-*.out", SearchOption.AllDirectories))
        {
            string text;
            try { text = File.ReadAllText(f); } catch (IOException) { continue; }
            if (text.Contains(marker, StringComparison.Ordinal)) yield return Path.GetFileNameWithoutExtension(f)["slurm-".Length..];
        }
    }

    [SkippableFact]
    public void A_driver_killed_mid_search_re_attaches_to_its_jobs_and_trains_nothing_twice()
    {
        SlurmCluster.Require();
        var expected = Reference("evolution");
        string file = EvolutionPipelineTests.Project(_dir, "x", "evolution", Trials, searchOnly: true);
        string[] args = ["run", "pipeline/x.yaml", .. Sets("slurm").SelectMany(s => new[] { "--set", s })];
        // trial 3 holds 20 s, so the driver dies with it in flight
        string state = _dir["runs/x/.work/search/state/search_state.json"];
        string first;
        using (var driver = CliProcess.Start(_dir.Path, new Dictionary<string, string> { [TrialWorker.HoldVariable] = "3:20" }, args))
        {
            var output = driver.StandardOutput.ReadToEndAsync();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMinutes(3) && !driver.HasExited)
            {
                if (File.Exists(state) && PendingJobs(state) > 0 && JsonNode.Parse(File.ReadAllText(state))!["trials"]!.AsArray().Count >= 2) break;
                Thread.Sleep(200);
            }
            Assert.False(driver.HasExited, "the search ended before it could be killed");
            driver.Kill(); // SIGKILL: no finally blocks, no cancellation of its jobs
            driver.WaitForExit();
            first = output.Result;
        }
        var (code, second) = CliProcess.Run(_dir.Path, args);
        Assert.True(code == 0, second);
        Assert.Contains("resuming with", second);
        Assert.Equal(expected, Outputs(_dir["runs/x"]));
        // every evaluation ran as exactly one job over both drivers (Slurm remembers finished jobs for MinJobAge seconds)
        string prefix = SlurmExecutor.JobNamePrefix(_dir["runs/x/.work/search/state"]) + "-";
        var (_, jobs, _) = SlurmClient.Run("scontrol", ["show", "job", "-o"]);
        var names = jobs.Split('\n').Select(l => l.Split(' ').FirstOrDefault(f => f.StartsWith("JobName=" + prefix, StringComparison.Ordinal)))
            .OfType<string>().ToList();
        Assert.True(names.Count == Trials + 3 && names.Distinct().Count() == names.Count,
            $"jobs: {string.Join(", ", names)}\nfirst driver:\n{first}\nsecond driver:\n{second}");
    }

    [SkippableTheory]
    [InlineData("processes")]
    [InlineData("slurm")]
    public void Ctrl_c_cancels_the_submitted_trials_says_so_and_the_next_run_finishes_the_search(string executor)
    {
        if (executor == "slurm") SlurmCluster.Require();
        var expected = Reference("evolution");
        string file = EvolutionPipelineTests.Project(_dir, "x", "evolution", Trials, searchOnly: true);
        string[] args = ["run", "pipeline/x.yaml", .. Sets(executor).SelectMany(s => new[] { "--set", s })];
        string state = _dir["runs/x/.work/search/state/search_state.json"];
        string output;
        using (var driver = CliProcess.Start(_dir.Path, new Dictionary<string, string> { [TrialWorker.HoldVariable] = "1:120,2:120" }, args))
        {
            var stdout = driver.StandardOutput.ReadToEndAsync();
            var stderr = driver.StandardError.ReadToEndAsync();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMinutes(2) && !driver.HasExited)
            {
                if (File.Exists(state) && PendingJobs(state) == 2) break; // both trials submitted
                Thread.Sleep(200);
            }
            Thread.Sleep(1000);
            using (var kill = Process.Start("kill", ["-INT", driver.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            bool stopped = driver.WaitForExit(TimeSpan.FromSeconds(60));
            if (!stopped) driver.Kill(entireProcessTree: true); // not left running with its held trials
            Assert.True(stopped, "the driver did not stop on SIGINT" + (SigintIgnoredHere()
                ? " (SIGINT is ignored in the test process, and so in the driver it starts: a shell's background job (`cmd &`) ignores it; " +
                  "run the tests in the foreground, or through something that restores SIGINT's default, as .ci/run's callers do)"
                : ""));
            output = stdout.Result + stderr.Result;
            Assert.True(driver.ExitCode == 130, output);
        }
        Assert.Contains($"interrupted: cancelled 2 {executor} jobs", output);
        Assert.Equal(0, PendingJobs(state)); // submitted afresh next time
        Assert.False(Directory.Exists(_dir["runs/x/search"]), "no half-written outputs");

        var (code, second) = CliProcess.Run(_dir.Path, args);
        Assert.True(code == 0, second);
        Assert.Equal(expected, Outputs(_dir["runs/x"]));
    }

    /// <summary>Whether SIGINT (signal 2: mask value 0x2) is ignored in this process (SigIgn in /proc/self/status): a child inherits that,
    /// and then no Ctrl-C reaches the driver.</summary>
    private static bool SigintIgnoredHere()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    [SkippableFact]
    public void A_stage_with_resources_runs_as_a_slurm_job_and_the_runner_publishes_it()
    {
        SlurmCluster.Require();
        LearnableData.Write(_dir["data/tiny"], train: 600, test: 200);
        string file = _dir.Write("pipeline/job.yaml", """
            name: job
            seed: 3
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: train
                kind: train
                inputs: { data: data }
                params: { width: 4, epochs: 2, batch_size: 32, lr: 0.05 }
                resources: { cpus: 1, mem: 2G, time: "00:10:00" }
              - name: evaluate
                kind: evaluate
                inputs: { data: data, model: train }
            """);
        var (log, result) = RunInProcess(file);
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        Assert.Contains(log.Lines, l => l.StartsWith("stage 'train' runs as Slurm job", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("[job ", StringComparison.Ordinal) && l.Contains("epoch", StringComparison.OrdinalIgnoreCase));
        Assert.True(File.Exists(_dir["runs/job/train/model.pt"]) || Directory.EnumerateFiles(_dir["runs/job/train"]).Any());
        var lockFile = LockFile.Load(_dir["runs/job/pipeline.lock"], "job");
        Assert.True(lockFile.Stages.ContainsKey("train"));
        Assert.True(File.Exists(_dir["runs/job/evaluate/metrics.csv"]));

        // unchanged: skipped; the resources block is how, not what
        var (_, again) = RunInProcess(file);
        Assert.All(again.Stages, s => Assert.Equal(StageOutcome.Skipped, s.Outcome));

        // a partition the cluster does not have: one clear message naming sbatch and the stage
        string bad = File.ReadAllText(file).Replace("resources: { cpus: 1,", "resources: { partition: nosuchpartition, cpus: 1,");
        File.WriteAllText(file, bad);
        var refused = Assert.Throws<NasOnnxException>(() => RunInProcess(file, "train.epochs=4"));
        Assert.Contains("sbatch", refused.Message);
        Assert.Contains("nosuchpartition", refused.Message);
        Assert.Equal("train", refused.Stage);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SlurmCollection
{
    public const string Name = "slurm";
}

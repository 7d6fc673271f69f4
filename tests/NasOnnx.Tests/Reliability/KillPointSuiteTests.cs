using NasOnnx.Artifacts;
using NasOnnx.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Tests.Pipeline;
using Xunit.Abstractions;
using NasOnnx.Core;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// The whole pipeline (prepare-data -> evolution search -> derive -> retrain -> export -> benchmark -> report) on
/// tiny generated data, run by the real CLI and SIGKILLed at named points (NASONNX_TEST_KILL_AT, see
/// <see cref="TestFaults"/>): inside each long stage, half-way through writing an output file, before and after the
/// publishing rename, half-way through writing pipeline.lock (which is written before the publishing rename). After each kill the run folder must hold only complete
/// stage folders (equal to the reference's) and a lock that agrees with them; the next run resumes, and the finished
/// folder and lock equal an unkilled reference run's, with no temp file, staging or moved-aside folder left.
/// The kills are chained in one run folder: each re-run resumes the previous kill and is itself killed further on.
/// </summary>
public class KillPointSuiteTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Pipeline = "rel";
    private const string ReferenceRuns = "runs-reference";

    /// <summary>A SIGKILLed child's exit code as .NET reports it on Unix: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    private string RunDir => _dir[$"runs/{Pipeline}"];
    private string ReferenceDir => _dir[$"{ReferenceRuns}/{Pipeline}"];

    private void WriteProject()
    {
        LearnableData.Write(_dir["data/tiny"], train: 600, test: 100);
        _dir.Write($"pipeline/{Pipeline}.yaml", """
            name: rel
            seed: 3
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: search
                kind: search
                inputs: { data: data }
                params: { space: macro, width: 4, depth: 3, strategy: evolution, trials: 4, population: 2, sample: 2, crossover: 0.5,
                          trial_epochs: 1, trial_data_fraction: 0.5, trial_batch_size: 32, trial_lr: 0.05 }
              - name: derive
                kind: derive
                inputs: { search: search }
              - name: retrain
                kind: retrain
                inputs: { data: data, arch: derive }
                params: { epochs: 2, batch_size: 32, lr: 0.05 }
              - name: export
                kind: export
                inputs: { model: retrain, data: data }
              - name: benchmark
                kind: benchmark
                inputs: { model: export }
                params: { warmup: 2, runs: 10 }
              - name: report
                kind: report
            """);
    }

    private static readonly string[] Stages = ["data", "search", "derive", "retrain", "export", "benchmark", "report"];

    /// <summary>The kill points, in pipeline order; each run after a kill resumes it and dies at the next.</summary>
    public static readonly (string Point, string Where)[] Points =
    [
        ("search:trial#2", "inside the search, after its 2nd trial"),
        ("search:write:search.json", "half-way through writing search.json"),
        ("derive:start", "at the start of derive"),
        ("retrain:checkpoint#1", "inside retrain, after its first checkpoint"),
        ("retrain:write:model.pt", "half-way through writing the retrained weights"),
        ("retrain:publish", "with retrain's outputs complete in staging, before the rename"),
        ("export:write:model.onnx", "half-way through writing model.onnx"),
        ("export:published", "after export's folder was renamed into place, before the lock was updated"),
        ("benchmark:start", "at the start of the benchmark"),
        ("benchmark:write:latency.csv", "half-way through writing latency.csv"),
        ("report:write:pipeline.lock", "half-way through writing the new pipeline.lock, before the report is published"),
    ];

    private (int Code, string Output) Run(string? killAt, params string[] args)
    {
        var env = killAt is null ? null : new Dictionary<string, string> { [TestFaults.KillVariable] = killAt };
        using var p = CliProcess.Start(_dir.Path, env, ["run", $"pipeline/{Pipeline}.yaml", .. args]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(entireProcessTree: true); Assert.Fail($"nasonnx did not finish (kill point {killAt})"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The output with the console's line wrapping undone.</summary>
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private LockFile LoadLock() => LockFile.Load(Path.Combine(RunDir, PipelineRunner.LockFileName), Pipeline);

    /// <summary>What a killed run may leave: complete stage folders equal to the reference's, and a lock that matches them.</summary>
    private void AssertOnlyCompleteOutputs(string point, string? missingButLocked = null)
    {
        Assert.Empty(RunFolderCompare.Leftovers(RunDir, includeHidden: false));
        var lockFile = LoadLock();
        foreach (var dir in Directory.EnumerateDirectories(RunDir).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')))
        {
            Assert.Contains(dir!, Stages);
            RunFolderCompare.AssertStageEqual(ReferenceDir, RunDir, dir!, $"after the kill at {point}");
        }
        foreach (var (name, entry) in lockFile.Stages)
        {
            string folder = Path.Combine(RunDir, name);
            if (name == missingButLocked) { Assert.False(Directory.Exists(folder)); continue; }
            Assert.True(Directory.Exists(folder), $"after the kill at {point}: the lock lists {name} but its folder is missing");
            Assert.Equal(entry.Outputs, ContentHash.OfFolderFiles(folder));
        }
    }

    [Fact]
    public void Pipeline_killed_at_each_point_resumes_to_the_reference_outputs_and_lock()
    {
        WriteProject();
        var (code, text) = Run(null, "--runs-dir", ReferenceRuns);
        Assert.True(code == 0, text);

        var completedBefore = new List<string>();
        foreach (var (point, where) in Points)
        {
            (code, text) = Run(point);
            Assert.True(code == KilledBySigkill, $"kill at {point} ({where}): exit {code}\n{text}");
            Assert.DoesNotContain("Unhandled exception", text);
            AssertOnlyCompleteOutputs(point);
            var locked = LoadLock().Stages.Keys.ToList();
            Assert.True(completedBefore.All(locked.Contains), $"after the kill at {point} the lock lost a stage completed earlier");
            completedBefore = locked;
            output.WriteLine($"killed at {point,-28} ({where}): locked stages [{string.Join(", ", locked)}], " +
                             $"hidden leftovers [{string.Join(", ", RunFolderCompare.Leftovers(RunDir, includeHidden: true))}]");
        }

        (code, text) = Run(null);
        Assert.True(code == 0, text);
        AssertFinishedLikeTheReference();

        // A re-run over complete outputs, killed between moving the old export folder aside and moving the new one
        // in: the lock still lists export, its folder is absent (never half), and the next run restores it.
        (code, text) = Run("export:aside", "--force", "export");
        Assert.True(code == KilledBySigkill, text);
        AssertOnlyCompleteOutputs("export:aside", missingButLocked: "export");
        (code, text) = Run(null);
        Assert.True(code == 0, text);
        Assert.Contains("export (export): running because its outputs are missing", Flat(text));
        AssertFinishedLikeTheReference();

        // Finished means finished: everything is up to date now.
        (code, text) = Run(null);
        Assert.True(code == 0, text);
        Assert.Contains($"Done: 0 ran, {Stages.Length} skipped", Flat(text));
    }

    private void AssertFinishedLikeTheReference()
    {
        foreach (var stage in Stages) RunFolderCompare.AssertStageEqual(ReferenceDir, RunDir, stage, "after resuming");
        RunFolderCompare.AssertLockEqual(ReferenceDir, RunDir);
        Assert.Empty(RunFolderCompare.Leftovers(RunDir, includeHidden: true));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(RunDir, ".work")));
        Assert.Equal(Stages.Concat([".run.lock", ".work", PipelineRunner.LockFileName]).Order(),
            Directory.EnumerateFileSystemEntries(RunDir).Select(Path.GetFileName).Order());
    }
}

using NasOnnx.Artifacts;
using System.Diagnostics;
using NasOnnx.Core;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// A stage killed (SIGKILL) while it writes leaves the previous complete outputs or none, never a half
/// folder, and the next run re-runs it to completion.
/// </summary>
public class KillAndResumeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Starts a run and SIGKILLs it once the train stage has written part of its outputs into staging.</summary>
    private void RunAndKillDuringTrain(params string[] extraArgs)
    {
        using var p = CliProcess.Start(_dir.Path, ["run", "pipeline/tiny.yaml", .. extraArgs]);
        var watch = Stopwatch.StartNew();
        string runDir = _dir["runs/tiny"];
        while (watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            bool partial = Directory.Exists(runDir) && Directory.GetDirectories(runDir, ".train.staging-*")
                .Any(d => File.Exists(Path.Combine(d, "epochs.csv")));
            if (partial) break;
            if (p.HasExited) Assert.Fail("the run ended before it could be killed: " + p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd());
            Thread.Sleep(20);
        }
        p.Kill(entireProcessTree: true);
        p.WaitForExit();
    }

    [Fact]
    public void Killed_first_run_leaves_no_half_output_and_resumes()
    {
        LearnableData.Project(_dir, "tiny", epochs: 12);
        RunAndKillDuringTrain();

        Assert.True(Directory.Exists(_dir["runs/tiny/data"]), "the completed stage before the kill is kept");
        Assert.False(Directory.Exists(_dir["runs/tiny/train"]), "no half output folder");
        var lockFile = LockFile.Load(_dir["runs/tiny/pipeline.lock"], "tiny");
        Assert.Equal(["data"], lockFile.Stages.Keys);

        var (code, output) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, output);
        Assert.Contains("data: up to date, skipped", output);
        Assert.Contains("train (train): running because it has not run before", output);
        Assert.Equal(13, File.ReadAllLines(_dir["runs/tiny/train/epochs.csv"]).Length);
        Assert.Empty(Directory.GetDirectories(_dir["runs/tiny"], ".*.staging-*"));
    }

    [Fact]
    public void Killed_rerun_keeps_the_previous_complete_outputs()
    {
        LearnableData.Project(_dir, "tiny", epochs: 2);
        var (code, output) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, output);
        string lockBefore = File.ReadAllText(_dir["runs/tiny/pipeline.lock"]);
        var before = ContentHash.OfFolderFiles(_dir["runs/tiny/train"]);

        RunAndKillDuringTrain("--set", "train.epochs=12");

        Assert.Equal(before, ContentHash.OfFolderFiles(_dir["runs/tiny/train"]));
        Assert.Equal(lockBefore, File.ReadAllText(_dir["runs/tiny/pipeline.lock"]));
        (code, output) = CliProcess.Run(_dir.Path, "run", "pipeline/tiny.yaml", "--set", "train.epochs=3");
        Assert.True(code == 0, output);
        Assert.Contains("train (train): running because its params changed", output);
        Assert.Equal(4, File.ReadAllLines(_dir["runs/tiny/train/epochs.csv"]).Length);
    }
}

using System.Diagnostics;
using NasOnnx.Training;
using NasOnnx.Core;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The real CLI killed with SIGKILL inside the train stage, at a checkpoint the test chooses, then run again:
/// the stage resumes from the checkpoint (and says so) and ends with a model.pt byte-identical to a run never killed.
/// </summary>
public class TrainResumeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // 960 training images, batch 32: 30 steps an epoch; 3 epochs.
    private const string Extra = ", crop_padding: 2, cutout: 6";

    private static string Hash(string file) => ContentHash.OfFile(file);

    /// <summary>Runs the CLI; the output with line wrapping undone (the console wraps at 80 columns when redirected).</summary>
    private static (int, string) RunCli(string dir, params string[] args)
    {
        var (code, output) = CliProcess.Run(dir, args);
        return (code, System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
    }

    /// <summary>Runs the pipeline with the hold hook, waits until the process holds after its N-th checkpoint, kills it.</summary>
    private static string RunAndKillAfterCheckpoint(string project, int checkpoint, params string[] args)
    {
        var env = new Dictionary<string, string> { [CheckpointStore.HoldVariable] = checkpoint.ToString() };
        using var p = CliProcess.Start(project, env, ["run", "pipeline/tiny.yaml", .. args]);
        string held = Path.Combine(project, "runs/tiny/.work/train", CheckpointStore.HeldMarker);
        var watch = Stopwatch.StartNew();
        while (!File.Exists(held))
        {
            if (p.HasExited) Assert.Fail("the run ended before it held: " + p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd());
            if (watch.Elapsed > TimeSpan.FromMinutes(2)) { p.Kill(true); Assert.Fail("no checkpoint within 2 minutes"); }
            Thread.Sleep(20);
        }
        p.Kill(entireProcessTree: true); // SIGKILL
        p.WaitForExit();
        string checkpointFile = File.ReadAllText(held);
        File.Delete(held);
        return checkpointFile;
    }

    [Fact]
    public void Killed_at_an_epoch_checkpoint_and_mid_epoch_resumes_to_identical_weights()
    {
        // The run never killed.
        string reference = Path.Combine(_dir.Path, "reference");
        LearnableData.Project(reference, "tiny", epochs: 3, extra: Extra);
        var (code, output) = RunCli(reference, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, output);
        string want = Hash(Path.Combine(reference, "runs/tiny/train/model.pt"));
        Assert.True(File.Exists(Path.Combine(reference, "runs/tiny/train/curves.png")));
        Assert.False(Directory.Exists(Path.Combine(reference, "runs/tiny/.work/train")), "the work folder is removed once the stage completes");

        // Killed after the 2nd epoch-end checkpoint, then resumed.
        string killed = Path.Combine(_dir.Path, "killed");
        LearnableData.Project(killed, "tiny", epochs: 3, extra: Extra);
        string at = RunAndKillAfterCheckpoint(killed, 2);
        Assert.EndsWith("ckpt-000000060.ckpt", at);
        Assert.False(Directory.Exists(Path.Combine(killed, "runs/tiny/train")));
        (code, output) = RunCli(killed, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, output);
        Assert.Contains("resuming from checkpoint", output);
        Assert.Contains("(epoch 3, batch 0, step 60)", output);
        Assert.Equal(want, Hash(Path.Combine(killed, "runs/tiny/train/model.pt")));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(killed, "runs/tiny/train/epochs.csv")).Length);

        // Killed mid-epoch (checkpoints every 7 steps: 7, 14, 21, 28, 30 (epoch end), 35 -> the 6th is epoch 2, batch 5), then resumed.
        // The checkpoint params are not part of the checkpoint key, and they do not change the result.
        string mid = Path.Combine(_dir.Path, "mid");
        LearnableData.Project(mid, "tiny", epochs: 3, extra: Extra + ", checkpoint_every_steps: 7, keep_checkpoints: 3");
        at = RunAndKillAfterCheckpoint(mid, 6);
        Assert.EndsWith("ckpt-000000035.ckpt", at);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(mid, "runs/tiny/.work/train"), "ckpt-*.ckpt").Length);
        (code, output) = RunCli(mid, "run", "pipeline/tiny.yaml");
        Assert.True(code == 0, output);
        Assert.Contains("(epoch 2, batch 5, step 35)", output);
        Assert.Equal(want, Hash(Path.Combine(mid, "runs/tiny/train/model.pt")));
    }

    [Fact]
    public void Checkpoints_of_other_params_are_refused_and_the_stage_starts_from_scratch()
    {
        LearnableData.Project(_dir, "tiny", epochs: 3, extra: Extra);
        RunAndKillAfterCheckpoint(_dir.Path, 1);
        var (code, output) = RunCli(_dir.Path, "run", "pipeline/tiny.yaml", "--set", "train.lr=0.02");
        Assert.True(code == 0, output);
        Assert.Contains("refused: it was written by a run with other params, data or code", output);
        Assert.True(output.Contains("training starts from scratch"), output);
        Assert.DoesNotContain("resuming from checkpoint", output);
    }
}

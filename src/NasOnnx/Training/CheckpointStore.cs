using System.Text.RegularExpressions;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Training;

/// <summary>
/// The checkpoints of one run in one folder: ckpt-&lt;step, 9 digits&gt;.ckpt, written atomically, the newest
/// <see cref="CheckpointOptions.KeepLast"/> kept. Loading tries the newest first and falls back to older ones;
/// a refused file (corrupt, other network, other run) is renamed to *.refused and reported.
/// </summary>
public sealed partial class CheckpointStore(CheckpointOptions options, IRunLog log)
{
    /// <summary>
    /// Fault injection for tests of killed runs: with NASONNX_TEST_HOLD_AFTER_CHECKPOINT=N the process writes a
    /// file "held" into the checkpoint folder after its N-th checkpoint and then blocks until it is killed.
    /// </summary>
    public const string HoldVariable = "NASONNX_TEST_HOLD_AFTER_CHECKPOINT";
    public const string HeldMarker = "held";

    private int _written;

    public CheckpointOptions Options => options;

    [GeneratedRegex(@"^ckpt-(\d{9})\.ckpt$")]
    private static partial Regex NamePattern();

    public string PathFor(long step) => Path.Combine(options.Directory, $"ckpt-{step:D9}.ckpt");

    /// <summary>The checkpoint files, oldest first.</summary>
    public IReadOnlyList<string> Files() =>
        !System.IO.Directory.Exists(options.Directory) ? []
            : System.IO.Directory.EnumerateFiles(options.Directory, "ckpt-*.ckpt")
                .Where(f => NamePattern().IsMatch(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal).ToList();

    public string Save(CheckpointHeader header, nn.Module model, IReadOnlyList<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        string path = PathFor(header.Step);
        CheckpointFile.Write(path, header with { Key = options.Key, Written = DateTimeOffset.UtcNow }, model, optimizers);
        var files = Files();
        foreach (var old in files.Take(Math.Max(0, files.Count - Math.Max(1, options.KeepLast))))
            AtomicWrite.TryDelete(old);
        options.Written?.Invoke(path);
        TestFaults.Reached("checkpoint");
        _written++;
        if (int.TryParse(Environment.GetEnvironmentVariable(HoldVariable), out int hold) && hold == _written)
        {
            File.WriteAllText(Path.Combine(options.Directory, HeldMarker), path);
            Thread.Sleep(Timeout.Infinite);
        }
        return path;
    }

    /// <summary>
    /// Loads the newest usable checkpoint into the model and optimizers (and torch's generator); null when there is
    /// none, and the run starts from scratch. Every refusal and the outcome are logged.
    /// </summary>
    public (CheckpointHeader Header, string Path)? LoadLatest(nn.Module model, IReadOnlyList<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        // Temp files of checkpoint writes a killed run left half-done.
        if (System.IO.Directory.Exists(options.Directory))
            foreach (var tmp in System.IO.Directory.EnumerateFiles(options.Directory, ".ckpt-*.tmp")) AtomicWrite.TryDelete(tmp);
        var files = Files();
        int refused = 0;
        for (int i = files.Count - 1; i >= 0; i--)
        {
            string file = files[i];
            try
            {
                var header = CheckpointFile.Load(file, options.Key, model, optimizers);
                log.Info($"resuming from checkpoint {file} (epoch {header.Epoch + 1}, batch {header.Batch}, step {header.Step})");
                return (header, file);
            }
            catch (CheckpointRefusedException e)
            {
                refused++;
                log.Warn($"checkpoint {file} refused: {e.Message}; it is kept as {Path.GetFileName(file)}.refused" +
                         (i > 0 ? "; trying the previous checkpoint" : ""));
                try { File.Move(file, file + ".refused", overwrite: true); } catch (IOException) { }
            }
        }
        if (refused > 0) log.Warn($"no usable checkpoint in {options.Directory}; training starts from scratch");
        return null;
    }
}

using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Pipeline;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The flagship run (pipeline/best-fashion.yaml) takes more hours than one sitting, and a sitting here starts on a fresh
/// machine, so the finished stages travel between sittings in the repository: pipeline/runs/best-fashion is the run
/// folder as the last sitting left it (`nasonnx run pipeline/best-fashion.yaml --runs-dir pipeline/runs` continues it).
/// A resumed run trusts that folder exactly as far as its lock says, so a half-copied or hand-edited folder must fail
/// here rather than silently re-run (hours) or, worse, feed a later stage outputs the lock never saw.
/// </summary>
public class CommittedRunTests
{
    private static string RunDir => Path.Combine(ModelZooTests.RepoRoot, "pipeline", "runs", "best-fashion");

    [Fact]
    public void Every_locked_stage_of_the_committed_run_has_exactly_the_outputs_its_lock_names()
    {
        var lockFile = LockFile.Load(Path.Combine(RunDir, LockFile.FileName), "best-fashion");
        Assert.Equal("best-fashion", lockFile.Pipeline);
        Assert.NotEmpty(lockFile.Stages);
        var pipeline = new PipelineParser(StageCatalog.CreateRegistry()).ParseFile(Path.Combine(ModelZooTests.RepoRoot, "pipeline", "best-fashion.yaml"));

        foreach (var (name, entry) in lockFile.Stages)
        {
            var def = pipeline.Stage(name);
            Assert.Equal(def.Kind, entry.Kind);
            string outDir = Path.Combine(RunDir, name);
            Assert.True(Directory.Exists(outDir), $"stage '{name}' is locked but its folder is missing");
            var files = ContentHash.OfFolderFiles(outDir);
            Assert.Equal(entry.Outputs, files);
            Assert.Equal(entry.OutputsHash, ContentHash.Combine(files));

            // Each input was the output its source stage has now: the chain from data to this stage is unbroken. Or the
            // stage is stale, waiting to re-run, because its source re-ran after it (a pipeline change re-ran the search,
            // and the searched network's old retrain stays locked until the new one replaces it): then the source's lock
            // entry is the newer one. An input that matches no run of its source is a copied or edited folder.
            foreach (var (input, source) in def.Inputs)
            {
                var from = lockFile.Stages[source];
                if (from.OutputsHash != entry.Inputs[input])
                    Assert.True(from.Completed > entry.Completed,
                        $"stage '{name}' took input '{input}' = {entry.Inputs[input]}, which stage '{source}' (completed {from.Completed:O}, before it) never wrote");
            }
        }

        // The run goes on with one commit's library (the sitting that continues it builds that one): the stages locked with
        // it are the newest, and a stage locked with an older library completed before all of them, left from before the
        // switch and waiting to re-run ("the code changed"), never a stage of another build mixed into this one's.
        static string CodeOf(StageLock s) => s.Code.Split('/')[^1];
        string current = CodeOf(lockFile.Stages.Values.MaxBy(s => s.Completed)!);
        var firstOfCurrent = lockFile.Stages.Values.Where(s => CodeOf(s) == current).Min(s => s.Completed);
        foreach (var (name, entry) in lockFile.Stages.Where(p => CodeOf(p.Value) != current))
            Assert.True(entry.Completed < firstOfCurrent,
                $"stage '{name}' was locked with library {CodeOf(entry)} after stages of the run's library {current} had run");
    }

    [Fact]
    public void Committed_run_holds_no_folder_a_resumed_run_would_not_read()
    {
        // Staging folders of a killed stage and the run's lock file are per process; a retrain's checkpoint (.work) is
        // what a resumed retrain continues from, so it belongs.
        foreach (var dir in Directory.EnumerateDirectories(RunDir))
        {
            string name = Path.GetFileName(dir);
            Assert.DoesNotContain(".staging-", name);
        }
        Assert.False(File.Exists(Path.Combine(RunDir, ".run.lock")), "the run-folder lock of a running process was committed");
    }
}

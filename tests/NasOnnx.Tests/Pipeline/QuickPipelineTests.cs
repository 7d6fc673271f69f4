using NasOnnx.Artifacts;
using System.Globalization;
using NasOnnx.Pipeline;
using NasOnnx.Core;

namespace NasOnnx.Tests.Pipeline;

/// <summary>The real stages end to end on small generated data: prepare-data -> train -> evaluate.</summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class QuickPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunResult Run(string file, RunOptions? options = null)
    {
        var registry = StageCatalog.CreateRegistry();
        return new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), options ?? new RunOptions());
    }

    private static StageOutcome[] Outcomes(RunResult r) => r.Stages.Select(s => s.Outcome).ToArray();

    [Fact]
    public void Trains_and_evaluates_well_above_chance_and_is_deterministic()
    {
        string file = LearnableData.Project(_dir, "tiny", epochs: 4);
        var first = Run(file);
        Assert.All(first.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));
        string metrics = File.ReadAllText(_dir["runs/tiny/evaluate/metrics.csv"]);
        double accuracy = double.Parse(metrics.Split('\n')[1].Split(',')[0], CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.6, $"test accuracy {accuracy} on learnable data");
        Assert.Equal(11, File.ReadAllLines(_dir["runs/tiny/evaluate/confusion.csv"]).Length);
        Assert.Equal(11, File.ReadAllLines(_dir["runs/tiny/evaluate/per_class.csv"]).Length);
        Assert.StartsWith("epoch,lr,train_loss,train_acc,val_loss,val_acc", File.ReadAllText(_dir["runs/tiny/train/epochs.csv"]));

        var lock1 = LockFile.Load(first.LockPath, "tiny");
        string model = _dir["runs/tiny/train/model.pt"];
        Assert.Equal(ContentHash.OfFile(model), lock1.Stages["train"].Outputs["model.pt"]);

        // Nothing changed: a re-run skips every stage.
        var second = Run(file);
        Assert.Equal([StageOutcome.Skipped, StageOutcome.Skipped, StageOutcome.Skipped], Outcomes(second));

        // Same seed, same thread count: the forced re-run of train (and so of evaluate after it) produces byte-identical outputs.
        var forced = Run(file, new RunOptions { Force = ["train"] });
        Assert.Equal([StageOutcome.Skipped, StageOutcome.Ran, StageOutcome.Ran], Outcomes(forced));
        Assert.Equal("--force", forced.Stages[1].Reason);
        Assert.Equal("an earlier stage re-ran", forced.Stages[2].Reason);
        var lock2 = LockFile.Load(forced.LockPath, "tiny");
        Assert.Equal(lock1.Stages["train"].Outputs["model.pt"], lock2.Stages["train"].Outputs["model.pt"]);
        Assert.Equal(lock1.Stages["train"].Outputs["model.pt"], ContentHash.OfFile(model));
        Assert.Equal(lock1.Stages["evaluate"].OutputsHash, lock2.Stages["evaluate"].OutputsHash);

        // A deleted stage output is re-made, again identically.
        Directory.Delete(_dir["runs/tiny/train"], recursive: true);
        var third = Run(file);
        Assert.Equal([StageOutcome.Skipped, StageOutcome.Ran, StageOutcome.Ran], Outcomes(third));
        Assert.Equal("its outputs are missing", third.Stages[1].Reason);
        var lock3 = LockFile.Load(third.LockPath, "tiny");
        Assert.Equal(lock1.Stages["train"].Outputs["model.pt"], lock3.Stages["train"].Outputs["model.pt"]);
        Assert.Equal(lock1.Stages["train"].Outputs["model.pt"], ContentHash.OfFile(model));
        Assert.Equal(lock1.Stages["evaluate"].OutputsHash, lock3.Stages["evaluate"].OutputsHash);
    }

    [Fact]
    public void Bad_data_file_fails_the_stage_with_the_file_named()
    {
        string file = LearnableData.Project(_dir, "tiny", epochs: 1);
        var bytes = File.ReadAllBytes(_dir["data/tiny/train-labels-idx1-ubyte.gz"]);
        File.WriteAllBytes(_dir["data/tiny/train-labels-idx1-ubyte.gz"], bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<NasOnnxException>(() => Run(file));
        Assert.Equal("data", e.Stage);
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Describe());
        Assert.False(Directory.Exists(_dir["runs/tiny/data"]));
    }
}

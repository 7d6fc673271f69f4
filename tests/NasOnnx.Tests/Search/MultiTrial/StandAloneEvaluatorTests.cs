using NasOnnx.Architectures;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Training;
using NasOnnx.Search.MultiTrial;
using NasOnnx.Spaces;
using NasOnnx.Tests.Search.OneShot;

namespace NasOnnx.Tests.Search.MultiTrial;

/// <summary>Each rung of a stand-alone evaluation trains with its own budget: its epochs on its share of the training data.</summary>
public class StandAloneEvaluatorTests
{
    /// <summary>Records every progress bar the trainer opens (label and total steps).</summary>
    private sealed class BarLog : IRunLog
    {
        public List<(string Label, long Total)> Bars { get; } = [];
        public void Info(string message) { }
        public void Warn(string message) { }
        public IProgressTask Progress(string label, long total) { lock (Bars) Bars.Add((label, total)); return new Bar(); }
        private sealed class Bar : IProgressTask
        {
            public void Advance(long amount, string? status = null) { }
            public void Dispose() { }
        }
    }

    [Fact]
    public void Each_rung_trains_its_epochs_on_its_share_of_the_data()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nasonnx-sae-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = OneShotKit.Data(256, size: 12);
            var space = SpaceRegistry.Create("chain", new SpaceOptions(1, 12, 10, Width: 4, Depth: 1));
            var arch = space.Sample(new Random(3));
            var log = new BarLog();
            var evaluator = new StandAloneEvaluator(new Lazy<LoadedData>(() => data), new TrainingRecipe { BatchSize = 16, LearningRate = 0.05 },
                [new TrialBudget(1, 0.25), new TrialBudget(2, 1.0)], seed: 5, log, dir);

            var low = evaluator.Evaluate(arch, 0, CancellationToken.None);
            Assert.Equal([("epoch 1/1", 4L)], log.Bars); // 256 x 0.25 = 64 images, batches of 16
            log.Bars.Clear();
            var high = evaluator.Evaluate(arch, 1, CancellationToken.None);
            Assert.Equal([("epoch 1/2", 16L), ("epoch 2/2", 16L)], log.Bars);

            Assert.Equal((1.0, 0.25), (low["epochs"], low["data_fraction"]));
            Assert.Equal((2.0, 1.0), (high["epochs"], high["data_fraction"]));
            Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "trials", $"{arch.ArchId}-r1", "epochs.csv")).Length); // header + 2 epochs
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Rungs_from_the_augmentation_rung_on_train_with_augmentations_and_label_smoothing_and_earlier_rungs_do_not()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nasonnx-sae-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = OneShotKit.Data(128, size: 12);
            var space = SpaceRegistry.Create("chain", new SpaceOptions(1, 12, 10, Width: 4, Depth: 1));
            var arch = space.Sample(new Random(3));
            var recipe = new TrainingRecipe { BatchSize = 16, LearningRate = 0.05 };
            TrialBudget[] rungs = [new TrialBudget(1, 1.0), new TrialBudget(1, 1.0)];
            StandAloneEvaluator Evaluator(TrialAugmentation augmentation, string name) =>
                new(new Lazy<LoadedData>(() => data), recipe, rungs, seed: 5, new Pipeline.CollectingLog(), Path.Combine(dir, name)) { Augmentation = augmentation };
            var plain = Evaluator(TrialAugmentation.None, "plain");
            var augmented = Evaluator(new TrialAugmentation(2, "on", 0, 0.5, 0.1, FromRung: 1), "augmented");

            // rung 0 is before the augmentation rung: the same training, to the bit
            Assert.Equal(plain.Evaluate(arch, 0, CancellationToken.None)["val_loss"], augmented.Evaluate(arch, 0, CancellationToken.None)["val_loss"]);
            // rung 1 trains on other images with smoothed labels (the same budget otherwise)
            double plainLoss = plain.Evaluate(arch, 1, CancellationToken.None)["val_loss"];
            double augmentedLoss = augmented.Evaluate(arch, 1, CancellationToken.None)["val_loss"];
            Assert.NotEqual(plainLoss, augmentedLoss);
            // label smoothing is part of it: alone it changes the result as well
            var smoothingOnly = Evaluator(new TrialAugmentation(0, "off", 0, 0, 0.1, FromRung: 1), "smoothing");
            Assert.NotEqual(plainLoss, smoothingOnly.Evaluate(arch, 1, CancellationToken.None)["val_loss"]);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Image_augmentations_on_text_data_are_refused()
    {
        var text = new PreparedDataset
        {
            Name = "reviews", Source = "local", Folder = "", TrainFiles = [], TestFiles = [], FileHashes = new Dictionary<string, string>(),
            Channels = 1, Height = 1, Width = 8, ClassNames = ["a", "b"], Mean = [0f], Std = [1f], Format = PreparedDataset.TextFormat,
            TrainCount = 2, TestCount = 2, ValidationFraction = 0, SplitSeed = 1,
        };
        var e = Assert.Throws<NasOnnxException>(() => new TrialAugmentation(2, "off", 0, 0, 0, 0).Build(text, 0));
        Assert.Contains("reviews is text", e.Message);
        Assert.Empty(new TrialAugmentation(0, "auto", 0, 0, 0.1, 0).Build(text, 0)); // label smoothing alone is fine for text
    }

    [Fact]
    public void A_budget_outside_the_unit_interval_is_refused()
    {
        var e = Assert.Throws<NasOnnxException>(() => new StandAloneEvaluator(new Lazy<LoadedData>(() => throw new InvalidOperationException()),
            new TrainingRecipe(), [new TrialBudget(1, 1.5)], 1, new Pipeline.CollectingLog(), "."));
        Assert.Equal("trial data fractions must be in (0, 1], got [1.5]", e.Message);
    }
}

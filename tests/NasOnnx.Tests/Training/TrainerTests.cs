using NasOnnx.Data;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Training;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Ops;
using NasOnnx.Networks;

namespace NasOnnx.Tests.Training;

[Collection(TorchCollection.Name)]
public class TrainerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class Interrupt : Exception;

    private CheckpointOptions Checkpoints(string name, int every = 0, int keep = 10, int stopAfter = 0)
    {
        int count = 0;
        return new CheckpointOptions
        {
            Directory = _dir[name], Key = "k1", EveryNSteps = every, KeepLast = keep,
            Written = _ => { if (++count == stopAfter) throw new Interrupt(); },
        };
    }

    private static TrainingResult Train(nn.Module<Tensor, Tensor> model, CollectingLog log, CheckpointOptions? ck = null, string? csv = null, string? png = null,
        TrainingRecipe? recipe = null) =>
        new Trainer(log).Train(model, TinyTraining.Split([new RandomCrop(1), new HorizontalFlip(), new Cutout(3)]), recipe ?? TinyTraining.Recipe(),
            new TrainerOptions { Checkpoints = ck, MetricsCsv = csv, CurvesPng = png });

    [Fact]
    public void Same_seed_twice_gives_the_same_metrics_and_weights_and_learns()
    {
        using var a = TinyTraining.Model();
        using var b = TinyTraining.Model();
        var recipe = TinyTraining.Recipe(epochs: 6);
        var ra = Train(a, new CollectingLog(), csv: _dir["epochs.csv"], png: _dir["curves.png"], recipe: recipe);
        var rb = Train(b, new CollectingLog(), recipe: recipe);
        Assert.Equal(ra.History.Select(h => (h.Lr, h.TrainLoss, h.TrainAcc, h.ValLoss, h.ValAcc)), rb.History.Select(h => (h.Lr, h.TrainLoss, h.TrainAcc, h.ValLoss, h.ValAcc)));
        Assert.Equal(TinyTraining.Bytes(a), TinyTraining.Bytes(b));
        Assert.True(ra.History[^1].ValAcc > 0.3, $"val accuracy {string.Join(", ", ra.History.Select(h => h.ValAcc))} (chance 0.1)");

        var lines = File.ReadAllLines(_dir["epochs.csv"]);
        Assert.Equal("epoch,lr,train_loss,train_acc,val_loss,val_acc,images_per_second,seconds,data_wait_fraction,rss_mb,managed_mb", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.True(ra.History.All(h => h.RssMb > 10), "rss_mb is recorded");
        var png = File.ReadAllBytes(_dir["curves.png"]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void Interrupted_mid_epoch_and_resumed_ends_with_identical_weights()
    {
        using var reference = TinyTraining.Model();
        var full = Train(reference, new CollectingLog());

        using var first = TinyTraining.Model();
        // Every 3 steps, 8 steps an epoch: the 3rd checkpoint is at step 8 (epoch end), the 4th at step 9 (epoch 2, batch 1).
        Assert.Throws<Interrupt>(() => Train(first, new CollectingLog(), Checkpoints("ck", every: 3, stopAfter: 5)));
        var log = new CollectingLog();
        using var resumed = TinyTraining.Model(initSeed: 99); // other initial weights: the checkpoint must replace them
        var result = Train(resumed, log, Checkpoints("ck", every: 3));

        Assert.Contains(log.Lines, l => l.StartsWith("resuming from checkpoint", StringComparison.Ordinal) && l.Contains("epoch 2, batch 4, step 12"));
        Assert.Equal(12, result.ResumedAtStep);
        Assert.Equal(0.0, TinyTraining.MaxDifference(reference, resumed));
        Assert.Equal(TinyTraining.Bytes(reference), TinyTraining.Bytes(resumed));
        Assert.Equal(full.History.Select(h => (h.TrainLoss, h.TrainAcc, h.ValLoss, h.ValAcc)), result.History.Select(h => (h.TrainLoss, h.TrainAcc, h.ValLoss, h.ValAcc)));
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_and_the_previous_one_is_used()
    {
        using var reference = TinyTraining.Model();
        Train(reference, new CollectingLog());
        using var first = TinyTraining.Model();
        Assert.Throws<Interrupt>(() => Train(first, new CollectingLog(), Checkpoints("ck", stopAfter: 2)));
        var files = Directory.GetFiles(_dir["ck"], "ckpt-*.ckpt").Order().ToArray();
        Assert.Equal(2, files.Length);
        var bytes = File.ReadAllBytes(files[1]);
        File.WriteAllBytes(files[1], bytes[..(bytes.Length / 2)]);

        var log = new CollectingLog();
        using var resumed = TinyTraining.Model(initSeed: 99);
        var result = Train(resumed, log, Checkpoints("ck"));
        Assert.Contains(log.Lines, l => l.Contains($"checkpoint {files[1]} refused: it is truncated or corrupt") && l.Contains("trying the previous checkpoint"));
        Assert.Contains(log.Lines, l => l.StartsWith($"resuming from checkpoint {files[0]} (epoch 2, batch 0, step 8)", StringComparison.Ordinal));
        Assert.True(File.Exists(files[1] + ".refused"));
        Assert.Equal(TinyTraining.Bytes(reference), TinyTraining.Bytes(resumed));
        Assert.Equal(3, result.History.Count);
    }

    [Fact]
    public void Only_corrupt_checkpoints_mean_a_fresh_start_that_says_so()
    {
        Directory.CreateDirectory(_dir["ck"]);
        File.WriteAllText(_dir["ck/ckpt-000000008.ckpt"], "not a checkpoint at all, just text long enough to pass the size check ............");
        var log = new CollectingLog();
        using var model = TinyTraining.Model();
        var result = Train(model, log, Checkpoints("ck"));
        Assert.Contains(log.Lines, l => l.Contains("refused: it is not a NasOnnx checkpoint"));
        Assert.Contains(log.Lines, l => l.Contains("no usable checkpoint") && l.Contains("starts from scratch"));
        Assert.Null(result.ResumedFrom);
        using var reference = TinyTraining.Model();
        Train(reference, new CollectingLog());
        Assert.Equal(TinyTraining.Bytes(reference), TinyTraining.Bytes(model));
    }

    [Fact]
    public void A_checkpoint_of_another_network_or_run_is_refused_with_the_reason()
    {
        using var narrow = TinyTraining.Model(width: 4);
        Assert.Throws<Interrupt>(() => Train(narrow, new CollectingLog(), Checkpoints("ck", stopAfter: 1)));

        var log = new CollectingLog();
        using var wide = TinyTraining.Model(width: 6);
        var before = TinyTraining.Bytes(wide);
        var e = Assert.Throws<CheckpointRefusedException>(() => CheckpointFile.Load(Directory.GetFiles(_dir["ck"])[0], "k1", wide, []));
        Assert.Contains("written for another network", e.Message);
        Assert.Equal(before, TinyTraining.Bytes(wide)); // nothing changed

        var result = Train(wide, log, Checkpoints("ck"));
        Assert.Contains(log.Lines, l => l.Contains("refused: it was written for another network (FixedCnn"));
        Assert.Contains(log.Lines, l => l.Contains("starts from scratch"));
        Assert.Null(result.ResumedFrom);
        Assert.Equal(3, result.History.Count);

        // Same network, other run key.
        using var other = TinyTraining.Model(width: 4);
        Assert.Throws<Interrupt>(() => Train(other, new CollectingLog(), Checkpoints("ck2", stopAfter: 1)));
        var keyError = Assert.Throws<CheckpointRefusedException>(() =>
            CheckpointFile.Load(Directory.GetFiles(_dir["ck2"], "*.ckpt")[0], "another-key", other, []));
        Assert.Contains("other params, data or code", keyError.Message);
    }

    [Fact]
    public void Keeps_only_the_newest_checkpoints()
    {
        using var model = TinyTraining.Model();
        Train(model, new CollectingLog(), Checkpoints("ck", every: 3, keep: 2));
        Assert.Equal(["ckpt-000000021.ckpt", "ckpt-000000024.ckpt"], Directory.GetFiles(_dir["ck"]).Select(Path.GetFileName).Order());
        var header = CheckpointFile.ReadHeader(_dir["ck/ckpt-000000024.ckpt"]);
        Assert.Equal((3, 0, 24L), (header.Epoch, header.Batch, header.Step));
        Assert.Equal(3, header.History.Count);
    }

    /// <summary>A model with an auxiliary head and epoch hook, as cell networks will have.</summary>
    private sealed class WithAux : nn.Module<Tensor, Tensor>, IAuxiliaryOutput, IEpochAware
    {
        private readonly nn.Module<Tensor, Tensor> body = nn.Sequential(nn.Flatten(), nn.Linear(144, 16), nn.ReLU());
        private readonly nn.Module<Tensor, Tensor> head = nn.Linear(16, 10);
        private readonly nn.Module<Tensor, Tensor> aux = nn.Linear(16, 10);
        private readonly DropPath drop = new();
        public int AuxCalls;
        public List<double> DropPathByEpoch { get; } = [];

        public WithAux() : base("with_aux") => RegisterComponents();

        public override Tensor forward(Tensor input) => head.forward(drop.forward(body.forward(input)));

        public (Tensor Logits, Tensor? AuxLogits) ForwardWithAuxiliary(Tensor input)
        {
            AuxCalls++;
            var h = drop.forward(body.forward(input));
            return (head.forward(h), aux.forward(h));
        }

        public void OnEpochStart(int epoch, int epochs, double dropPath)
        {
            drop.Probability = dropPath * epoch / epochs;
            DropPathByEpoch.Add(drop.Probability);
        }
    }

    [Fact]
    public void Auxiliary_head_and_epoch_hook_are_used_in_training()
    {
        NasOnnx.Runtime.TorchRuntime.Initialize(1);
        torch.manual_seed(1);
        using var model = new WithAux();
        var recipe = TinyTraining.Recipe(epochs: 2) with { AuxWeight = 0.4, DropPath = 0.2 };
        new Trainer(new CollectingLog()).Train(model, TinyTraining.Split(), recipe, new TrainerOptions());
        Assert.Equal(16, model.AuxCalls);
        Assert.Equal([0.0, 0.1], model.DropPathByEpoch.Select(p => Math.Round(p, 6)));
    }

    [Fact]
    public void DropPath_zeroes_whole_samples_and_scales_the_rest()
    {
        NasOnnx.Runtime.TorchRuntime.Initialize(1);
        torch.manual_seed(5);
        using var x = torch.ones(200, 3, 2, 2);
        using var eval = DropPath.Apply(x, 0.3, training: false);
        Assert.True(eval.equal(x).all().item<bool>());
        using var y = DropPath.Apply(x, 0.3, training: true);
        var perSample = y.reshape(200, 12);
        int dropped = 0;
        for (int i = 0; i < 200; i++)
        {
            using var row = perSample[i];
            float lo = row.min().item<float>(), hi = row.max().item<float>();
            Assert.Equal(lo, hi, 5);
            if (lo == 0) dropped++;
            else Assert.Equal(1 / 0.7f, lo, 4);
        }
        Assert.InRange(dropped, 40, 80);
    }

    [Fact]
    public void Adam_helper_has_the_darts_defaults_and_steps()
    {
        NasOnnx.Runtime.TorchRuntime.Initialize(1);
        var alpha = new TorchSharp.Modules.Parameter(torch.zeros(3));
        using var adam = ArchitectureOptimizer.Adam([alpha]);
        ArchitectureOptimizer.Step(adam, (alpha - torch.tensor(new float[] { 1, 2, 3 })).pow(2).sum());
        Assert.Equal(ArchitectureOptimizer.DartsLearningRate, adam.ParamGroups.First().LearningRate, 9);
        Assert.True(alpha.data<float>().ToArray().All(v => v > 0 && v < 1e-3));
    }
}

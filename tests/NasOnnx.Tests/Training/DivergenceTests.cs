using NasOnnx.Runtime;
using NasOnnx.Search.OneShot;
using NasOnnx.Spaces.Darts;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Training;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Training;

/// <summary>A NaN loss injected into each kind of training loop stops it at once with where and what, and no NaN update is applied.</summary>
public sealed class DivergenceTests : IDisposable
{
    public void Dispose() => FiniteGuard.Inject = null;

    [Fact]
    public void Training_stops_at_the_diverged_step_with_epoch_step_and_lr_and_weights_stay_finite()
    {
        using var model = TinyTraining.Model();
        // 8 steps an epoch: call 11 is epoch 2, step 11.
        FiniteGuard.Inject = (loop, call) => loop == FiniteGuard.Train && call == 11;
        var e = Assert.Throws<DivergedException>(() =>
            new Trainer(new CollectingLog()).Train(model, TinyTraining.Split(), TinyTraining.Recipe(epochs: 3), new TrainerOptions()));
        Assert.True(e.Message.Contains("training diverged: the loss became NaN at epoch 2, step 11, lr ", StringComparison.Ordinal), e.Message);
        Assert.Contains("NASONNX_NUMERICS=safe", e.Fix);
        Assert.True(FiniteGuard.AllFinite(model), "the NaN step was refused before the optimizer applied it");
    }

    [Fact]
    public void A_train_stage_that_diverges_stops_with_stage_epoch_step_lr_and_publishes_nothing()
    {
        using var dir = new TempDir();
        string file = LearnableData.Project(dir, "div", epochs: 2, train: 400, test: 100);
        FiniteGuard.Inject = (loop, call) => loop == FiniteGuard.Train && call == 14; // 10 steps an epoch: epoch 2, step 14
        var registry = NasOnnx.Pipeline.StageCatalog.CreateRegistry();
        var e = Assert.Throws<NasOnnxException>(() =>
            new NasOnnx.Pipeline.PipelineRunner(registry, new CollectingLog()).Run(new NasOnnx.Pipeline.PipelineParser(registry).ParseFile(file), new NasOnnx.Pipeline.RunOptions()));
        Assert.Equal("train", e.Stage);
        Assert.Matches(@"^training diverged: the loss became NaN at epoch 2, step 14, lr 0\.0\d+", e.Message);
        Assert.Contains("NASONNX_NUMERICS=safe", e.Fix);
        Assert.False(Directory.Exists(dir["runs/div/train"]), "no outputs of the diverged stage are published");
        Assert.DoesNotContain("\"train\"", File.ReadAllText(dir["runs/div/pipeline.lock"]));
    }

    [Fact]
    public void Without_an_injection_training_is_not_stopped()
    {
        using var model = TinyTraining.Model();
        FiniteGuard.Inject = (_, _) => false;
        var result = new Trainer(new CollectingLog()).Train(model, TinyTraining.Split(), TinyTraining.Recipe(epochs: 1), new TrainerOptions());
        Assert.Single(result.History);
        Assert.True(double.IsFinite(result.History[0].TrainLoss));
    }

    [Theory]
    [InlineData(FiniteGuard.SupernetWeights)]
    [InlineData(FiniteGuard.Architecture)]
    public void Supernet_weight_and_architecture_steps_stop_on_a_non_finite_loss(string loop)
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        var space = new DartsSpace(new SpaceOptions(1, 8, 3, Width: 4, Depth: 3));
        using var net = new DartsSupernet(space, seed: 3);
        net.train();
        var gen = new Generator(11);
        var x = torch.randn([6, 1, 8, 8], generator: gen);
        var y = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        using var trainer = new SupernetTrainer(net, new OneShotSettings());
        FiniteGuard.Inject = (l, _) => l == loop;
        var before = net.Arch.All.Select(a => a.detach().clone()).ToArray();
        var e = Assert.Throws<DivergedException>(() =>
        {
            trainer.ArchStep(x, y, x, y, secondOrder: false);
            trainer.WeightStep(x, y);
        });
        Assert.Equal(loop, e.Loop);
        Assert.StartsWith($"{loop} diverged: the loss became NaN", e.Message);
        Assert.True(FiniteGuard.AllFinite(net));
        if (loop == FiniteGuard.Architecture)
            Assert.All(net.Arch.All.Zip(before), p => Assert.True(p.First.allclose(p.Second, 0, 0), "no architecture update was applied"));
    }

    [Fact]
    public void SPOS_scoring_stops_on_a_non_finite_output_instead_of_ranking_it()
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        var space = new DartsSpace(new SpaceOptions(1, 8, 3, Width: 4, Depth: 3));
        using var net = new DartsSupernet(space, seed: 3);
        var gen = new Generator(11);
        var batch = (torch.randn([6, 1, 8, 8], generator: gen), torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 }));
        var spos = new SposEvolution(net, space, [batch], [batch]);
        var arch = space.Sample(new Random(2));
        Assert.InRange(spos.Score(arch, generation: 0), 0, 1); // without an injection it scores

        FiniteGuard.Inject = (loop, _) => loop == FiniteGuard.SposScoring;
        var other = space.Sample(new Random(5));
        var e = Assert.Throws<DivergedException>(() => spos.Score(other, generation: 4));
        Assert.Equal(FiniteGuard.SposScoring, e.Loop);
        Assert.Equal($"SPOS scoring diverged: the supernet's output for {other.ArchId} is not finite at generation 4, after batch-norm recalibration on 1 batches", e.Message);
    }

    [Fact]
    public void Weights_holding_NaN_are_never_saved()
    {
        using var dir = new TempDir();
        TorchRuntime.Initialize(1);
        var arch = new DartsSpace(new SpaceOptions(1, 8, 3, Width: 4, Depth: 3)).Sample(new Random(1));
        using var network = NasOnnx.Spaces.NetworkFactory.Build(arch, seed: 1);
        string path = dir["model.pt"];
        NasOnnx.Networks.NetworkWeights.Save(network, path); // finite: saved
        Assert.True(File.Exists(path));
        foreach (var f in Directory.GetFiles(dir.Path)) File.Delete(f); // the weights and their architecture file
        using (torch.no_grad()) network.parameters().First().view(-1)[0] = float.NaN;
        var e = Assert.Throws<NasOnnxException>(() => NasOnnx.Networks.NetworkWeights.Save(network, path));
        Assert.Contains("NaN or infinite", e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_non_finite_gradient_is_caught_even_when_the_loss_is_finite()
    {
        var w = torch.ones(3).requires_grad_();
        (w * torch.tensor(new float[] { 1, float.PositiveInfinity, 1 })).sum().backward();
        var e = Assert.Throws<DivergedException>(() => FiniteGuard.Check("training", 0.5, [w]));
        Assert.Contains("gradient norm became", e.Message);
    }
}

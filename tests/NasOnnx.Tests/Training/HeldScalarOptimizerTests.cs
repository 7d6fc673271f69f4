using NasOnnx.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Training;

/// <summary>The held-Scalar optimizers compute TorchSharp's updates bit for bit (they replace them in every training loop).</summary>
[Collection(TorchCollection.Name)]
public class HeldScalarOptimizerTests
{
    /// <summary>Six steps of <paramref name="make"/> on a small linear model from fixed weights and batches; the final weights.</summary>
    private static float[] Train(Func<Parameter[], OptimizerHelper> make)
    {
        NasOnnx.Runtime.TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        var gen = new Generator(3);
        var w = new Parameter(torch.randn([4, 6], generator: gen));
        var b = new Parameter(torch.randn([4], generator: gen));
        using var opt = make([w, b]);
        for (int step = 0; step < 6; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var x = torch.randn([8, 6], generator: gen);
            var y = torch.randint(0, 4, [8], generator: gen);
            opt.zero_grad();
            nn.functional.cross_entropy(nn.functional.linear(x, w, b), y).backward();
            opt.step();
        }
        return [.. w.detach().data<float>().ToArray(), .. b.detach().data<float>().ToArray()];
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 5e-4, true)]
    [InlineData(0.9, 5e-4, false)]
    public void Sgd_matches_torchsharp(double momentum, double weightDecay, bool nesterov) =>
        Assert.Equal(Train(p => torch.optim.SGD(p, 0.1, momentum, weight_decay: weightDecay, nesterov: nesterov)),
            Train(p => new HeldScalarSgd(p, 0.1, momentum, weightDecay: weightDecay, nesterov: nesterov)));

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1e-3, true)]
    public void Adam_matches_torchsharp(double weightDecay, bool amsgrad) =>
        Assert.Equal(Train(p => torch.optim.Adam(p, 0.01, 0.5, 0.999, weight_decay: weightDecay, amsgrad: amsgrad)),
            Train(p => new HeldScalarAdam(p, 0.01, 0.5, 0.999, weightDecay: weightDecay, amsgrad: amsgrad)));

    [Theory]
    [InlineData(0.01, false)]
    [InlineData(0.05, true)]
    public void AdamW_matches_torchsharp(double weightDecay, bool amsgrad) =>
        Assert.Equal(Train(p => torch.optim.AdamW(p, 0.01, weight_decay: weightDecay, amsgrad: amsgrad)),
            Train(p => new HeldScalarAdamW(p, 0.01, weightDecay: weightDecay, amsgrad: amsgrad)));
}

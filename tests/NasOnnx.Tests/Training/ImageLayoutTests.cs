using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Supernets;
using NasOnnx.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Training;

/// <summary>Channels-last batches (the fast layout for training) compute what NCHW batches compute.</summary>
[Collection(TorchCollection.Name)]
public class ImageLayoutTests
{
    [Fact]
    public void Channels_last_keeps_values_and_shape_and_has_nhwc_strides()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        var cl = ImageLayout.ToChannelsLast(x);
        Assert.Equal(x.shape, cl.shape);
        Assert.Equal([60L, 1, 15, 3], cl.stride());
        Assert.True(x.allclose(cl, rtol: 0, atol: 0));
        // One channel, as Fashion-MNIST: the channel stride is 1, not H*W, so libtorch sees channels-last.
        var gray = ImageLayout.ToChannelsLast(torch.ones(2, 1, 4, 4));
        Assert.Equal([16L, 1, 4, 1], gray.stride());
    }

    [Fact]
    public void A_training_step_on_channels_last_batches_matches_nchw_batches()
    {
        // A chain network (MBConv: 1x1, depthwise and strided convolutions, BN, residuals) takes one step from the same
        // weights on the same batch in both layouts: loss and updated weights agree to float32 rounding (measured: 2e-7 at 2
        // threads, 1e-4 at 1 thread, where the layout is not used in training; see ImageLayout).
        // Only one step: over more, rounding differences grow (batch norm on 8 random images, lr 0.05) until they say
        // nothing about the layout.
        var arch = SpaceRegistry.Create("chain", new SpaceOptions { Width = 4, Depth = 1 }).Sample(new Random(2));
        var rng = new SplitMix64(5);
        var shape = new ImageShape(1, 28, 28);
        var images = Enumerable.Range(0, 8 * shape.Size).Select(_ => (float)rng.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, 8).Select(_ => (long)rng.Next(10)).ToArray();

        (double Loss, float[] Weights) Train(bool channelsLast)
        {
            ImageLayout.Override = channelsLast;
            try
            {
                using var net = NetworkFactory.Build(arch, seed: 1);
                net.train();
                using var step = new TrainStep(net, new TrainingRecipe());
                double loss = step.Run(images, labels, shape, 0.05).LossSum;
                return (loss, net.parameters().SelectMany(p => p.detach().contiguous().data<float>().ToArray()).ToArray());
            }
            finally
            {
                ImageLayout.Override = null;
            }
        }

        var nchw = Train(false);
        var nhwc = Train(true);
        Assert.Equal(nchw.Loss, nhwc.Loss, 1e-4 * Math.Max(1, Math.Abs(nchw.Loss)));
        Assert.Equal(nchw.Weights.Length, nhwc.Weights.Length);
        double worst = nchw.Weights.Zip(nhwc.Weights).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-3, $"weights differ by {worst} after one step");
    }

    [Fact]
    public void Channel_shuffle_accepts_channels_last_inputs()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(1 * 4 * 2 * 2, dtype: ScalarType.Float32).reshape(1, 4, 2, 2);
        var expected = MixedEdge.Shuffle(x, 2);
        Assert.True(expected.allclose(MixedEdge.Shuffle(ImageLayout.ToChannelsLast(x), 2), rtol: 0, atol: 0));
    }

    [Fact]
    public void Torch_processes_keep_large_blocks_in_the_heap_unless_told_not_to()
    {
        TorchRuntime.Initialize();
        string state = NativeAllocator.Describe();
        if (Environment.GetEnvironmentVariable("NASONNX_MALLOC") == "system") Assert.StartsWith("system", state);
        else Assert.StartsWith("heap", state);
    }
}

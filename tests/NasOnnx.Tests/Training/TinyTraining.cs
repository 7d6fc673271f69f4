using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Runtime;
using NasOnnx.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasOnnx.Tests.Training;

/// <summary>Learnable 1x12x12 images (class c: brightness ~ 20c plus noise and a bar in row c) and a width-4 CNN.</summary>
public static class TinyTraining
{
    public static Dataset Data(int count, int seed)
    {
        var rng = new Random(seed);
        var px = new byte[count * 144];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(10);
            labels[i] = (byte)c;
            for (int p = 0; p < 144; p++) px[i * 144 + p] = (byte)(20 * c + rng.Next(0, 40));
            for (int x = 1; x < 11; x++) px[i * 144 + (c + 1) * 12 + x] = 250;
        }
        return new Dataset("tiny", 1, 12, 12, px, labels, Enumerable.Range(0, 10).Select(c => c.ToString()).ToArray());
    }

    public static TrainingData Split(IReadOnlyList<IAugmentation>? augmentations = null)
    {
        var train = Data(256, 1);
        var val = Data(64, 2);
        return new TrainingData(train, Enumerable.Range(0, 256).ToArray(), val, Enumerable.Range(0, 64).ToArray(), Normalization.Identity(1))
        {
            Augmentations = augmentations ?? [],
        };
    }

    public static TrainingRecipe Recipe(int epochs = 3) => new() { Epochs = epochs, BatchSize = 32, LearningRate = 0.1, Seed = 11, WarmupEpochs = 0.5, LabelSmoothing = 0.1 };

    public static nn.Module<Tensor, Tensor> Model(int width = 4, long initSeed = 3)
    {
        TorchRuntime.Initialize(1);
        torch.manual_seed(initSeed);
        return new FixedCnn(1, 10, width);
    }

    /// <summary>The largest absolute difference over every parameter and buffer (NaN when the sets differ).</summary>
    public static double MaxDifference(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        if (!sa.Keys.Order().SequenceEqual(sb.Keys.Order())) return double.NaN;
        double max = 0;
        foreach (var (name, t) in sa)
        {
            using var d = (t.to_type(ScalarType.Float64) - sb[name].to_type(ScalarType.Float64)).abs().max();
            max = Math.Max(max, d.item<double>());
        }
        return max;
    }

    public static byte[] Bytes(nn.Module m)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) m.save(w);
        return ms.ToArray();
    }
}

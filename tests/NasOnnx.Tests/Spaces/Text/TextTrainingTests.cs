using NasOnnx.Architectures;
using NasOnnx.Data;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Text;
using NasOnnx.Training;

namespace NasOnnx.Tests.Spaces.Text;

/// <summary>Text networks train with the ordinary trainer on token batches (every op, through the masks).</summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public sealed class TextTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("conv_k3", "max")]
    [InlineData("attention", "mean")]
    [InlineData("gru", "max_mean")]
    [InlineData("avg_pool_k3", "max_mean")]
    public void A_text_network_learns_generated_token_data(string op, string pooling)
    {
        TorchRuntime.Initialize(1);
        var train = TextOneShotTests.Data(256, seed: 1);
        var val = TextOneShotTests.Data(128, seed: 2);
        var space = (TextSpace)SpaceRegistry.Create("text", SpaceOptions.Text(30, 10, 2, width: 8, depth: 2));
        var arch = space.Parse($$"""{"space": "text", "pooling": "{{pooling}}", "layers": [{"op": "{{op}}"}, {"op": "{{op}}", "skips": [0]}]}""");
        using var net = NetworkFactory.Build(arch, seed: 3);
        var data = new TrainingData(train.TrainImages, train.TrainIndices, val.TrainImages, val.TrainIndices, Normalization.Identity(1));
        var recipe = new TrainingRecipe { Epochs = 8, BatchSize = 32, LearningRate = 0.05, Seed = 5 };
        var history = new Trainer(new CollectingLog()).Train(net, data, recipe, _dir["epochs.csv"]);
        Assert.True(history[^1].ValAcc >= 0.85, $"{op}/{pooling}: validation accuracy {history[^1].ValAcc:0.000} after {history.Count} epochs");
    }
}

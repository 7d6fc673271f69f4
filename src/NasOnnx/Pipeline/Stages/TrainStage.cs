using NasOnnx.Networks;
using NasOnnx.Training;
using TorchSharp;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Trains the fixed reference CNN on a prepared dataset; writes weights, network.json and epochs.csv.</summary>
public sealed class TrainStage : IStage
{
    public string Kind => "train";
    public string Description => "Train a small fixed CNN (the pre-search baseline) on the prepared dataset.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } = RecipeParams.Specs.Append(
        ParamSpec.Int("width", 32, "channels of the first conv block (doubled at each of the two downsamplings)")).ToList();

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("data", "a prepare-data stage")];

    public void Validate(StageContext context) => RecipeParams.Validate(context);

    public void Run(StageContext context)
    {
        var data = PreparedDataset.Load(context.Input("data")).LoadData();
        var spec = new FixedCnnSpec(data.Info.Channels, data.Info.Height, data.Info.Width, data.Info.ClassNames.Count, (int)context.Int("width"));
        var recipe = RecipeParams.Read(context);
        torch.manual_seed(context.Seed);
        using var model = spec.Build();
        var (valData, valIdx) = data.ValidationOrTest;
        var history = new Trainer(context.Log).Train(model,
            new TrainingData(data.TrainImages, data.TrainIndices, valData, valIdx, data.Info.Normalization),
            recipe, context.OutputPath("epochs.csv"), context.Cancellation);
        model.save(context.OutputPath(TrainedModel.WeightsFile));
        spec.Save(context.OutputDir);
        context.Log.Info($"final validation accuracy {history[^1].ValAcc:P2}");
    }
}

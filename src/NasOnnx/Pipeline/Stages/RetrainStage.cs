using NasOnnx.Networks;
using NasOnnx.Training;
using TorchSharp;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Trains an architecture from scratch; writes model.pt with model.arch.json beside it, and epochs.csv.</summary>
public sealed class RetrainStage : IStage
{
    public string Kind => "retrain";
    public string Description => "Train an architecture (JSON from a file or an earlier stage) from scratch with a recipe.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
        [.. RecipeParams.Specs, ArchitectureSource.PathParam, ArchitectureSource.WidthParam, ArchitectureSource.CellsParam];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("data", "a prepare-data stage"), ArchitectureSource.Input];

    public IEnumerable<string> ExternalDependencies(StageContext context) =>
        context.HasInput("arch") ? [] : [ArchitectureSource.FindFile(context)];

    public void Validate(StageContext context) => RecipeParams.Validate(context);

    public void Run(StageContext context)
    {
        var prepared = PreparedDataset.Load(context.Input("data"));
        var arch = ArchitectureSource.Load(context, prepared);
        var data = prepared.LoadData();
        using var network = NetworkFactory.Build(arch, seed: (int)(context.Seed & 0x7fffffff));
        context.Log.Info($"architecture {arch.Space}/{arch.ArchId}: {network.ParameterCount():N0} parameters");
        torch.manual_seed(context.Seed);
        var (valData, valIdx) = data.ValidationOrTest;
        var history = new Trainer(context.Log).Train(network,
            new TrainingData(data.TrainImages, data.TrainIndices, valData, valIdx, prepared.Normalization),
            RecipeParams.Read(context), context.OutputPath("epochs.csv"), context.Cancellation);
        NetworkWeights.Save(network, context.OutputPath(TrainedModel.WeightsFile));
        context.Log.Info($"final validation accuracy {history[^1].ValAcc:P2}");
    }
}

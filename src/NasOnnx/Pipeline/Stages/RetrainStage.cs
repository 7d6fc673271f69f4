using NasOnnx.Networks;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Architectures;
using NasOnnx.Spaces;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Trains an architecture from scratch; writes model.pt with model.arch.json beside it, and epochs.csv.</summary>
public sealed class RetrainStage : IStage
{
    public string Kind => "retrain";
    public string Description => "Train an architecture (JSON from a file or an earlier stage) from scratch with a recipe; resumes from checkpoints after a kill.";
    public int Version => 2;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        .. RecipeParams.Specs, .. RecipeParams.AugmentSpecs, .. RecipeParams.CheckpointSpecs, .. RecipeParams.CellSpecs,
        ArchitectureSource.PathParam, ArchitectureSource.WidthParam, ArchitectureSource.CellsParam,
    ];

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
        var recipe = RecipeParams.Read(context);
        if (recipe.AuxWeight > 0 && network is not IAuxiliaryFeature)
            throw context.Error($"aux_weight is set but {arch.Space} networks have no auxiliary head", "set aux_weight: 0", context.PipelineFile);
        if (recipe.DropPath > 0 && network is not IEpochAware)
            throw context.Error($"drop_path is set but {arch.Space} networks do not support drop-path", "set drop_path: 0", context.PipelineFile);
        torch.manual_seed(context.Seed);
        // The auxiliary head trains alongside but is not part of the saved or exported network.
        using var auxiliary = recipe.AuxWeight > 0 ? new AuxiliaryTraining(network, arch is Architecture a ? a.Classes : prepared.ClassNames.Count) : null;
        StageTraining.Run(context, Version, auxiliary is null ? network : auxiliary, data, recipe, arch.ToJson(indented: false));
        NetworkWeights.Save(network, context.OutputPath(TrainedModel.WeightsFile));
    }
}

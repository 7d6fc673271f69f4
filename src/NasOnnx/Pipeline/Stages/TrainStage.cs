using System.Text.Json;
using NasOnnx.Data;
using NasOnnx.Networks;
using NasOnnx.Pipeline;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Trains the fixed reference CNN on a prepared dataset; writes weights, network.json, epochs.csv and curves.png.
/// Checkpoints go to the stage's work folder after every epoch (and every checkpoint_every_steps steps); a run
/// killed part-way resumes from the newest good checkpoint and ends with the same weights.
/// </summary>
public sealed class TrainStage : IStage
{
    public string Kind => "train";
    public string Description => "Train a small fixed CNN (the pre-search baseline) on the prepared dataset.";
    public int Version => 2;

    public IReadOnlyList<ParamSpec> Params { get; } = [
        .. RecipeParams.Specs,
        .. RecipeParams.AugmentSpecs,
        .. RecipeParams.CheckpointSpecs,
        ParamSpec.Int("width", 32, "channels of the first conv block (doubled at each of the two downsamplings)"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("data", "a prepare-data stage")];

    public void Validate(StageContext context) => RecipeParams.Validate(context);

    public void Run(StageContext context)
    {
        var data = PreparedDataset.Load(context.Input("data")).LoadData();
        var spec = new FixedCnnSpec(data.Info.Channels, data.Info.Height, data.Info.Width, data.Info.ClassNames.Count, (int)context.Int("width"));
        var recipe = RecipeParams.Read(context);
        torch.manual_seed(context.Seed);
        using var model = spec.Build();
        StageTraining.Run(context, Version, model, data, recipe, JsonSerializer.Serialize(spec));
        AtomicWrite.ViaTempPath(context.OutputPath(TrainedModel.WeightsFile), tmp => model.save(tmp));
        spec.Save(context.OutputDir);
    }
}

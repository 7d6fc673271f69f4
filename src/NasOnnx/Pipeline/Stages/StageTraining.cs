using NasOnnx.Training;
using NasOnnx.Data;
using NasOnnx.Artifacts;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// The training run shared by the train and retrain stages: augmentation from params, checkpoints keyed by the
/// stage and network, epochs.csv and curves.png in the output folder, and a closing log line.
/// </summary>
public static class StageTraining
{
    public const string MetricsFile = "epochs.csv";
    public const string CurvesFile = "curves.png";

    /// <param name="network">A description of the network (JSON) that goes into the checkpoint key.</param>
    public static TrainingResult Run(StageContext context, int stageVersion, nn.Module<Tensor, Tensor> model, LoadedData data,
        TrainingRecipe recipe, string network)
    {
        var augmentations = RecipeParams.ReadAugmentations(context, data.Info);
        string key = RecipeParams.CheckpointKey(context, stageVersion, Path.Combine(context.Input("data"), PreparedDataset.FileName), network);
        context.Log.Info($"augmentation: {Data.Augmentations.Describe(augmentations)}; checkpoints in {context.WorkDir} (key {key})");
        if (!data.TrainImages.InMemory)
            context.Log.Info($"training images are read from the memory-mapped cache ({data.TrainImages.Count} images of {data.TrainImages.ImageSize} bytes: over the data's memory_budget_mb)");
        var (valData, valIdx) = data.ValidationOrTest;
        var result = new Trainer(context.Log).Train(model,
            new TrainingData(data.TrainImages, data.TrainIndices, valData, valIdx, data.Info.Normalization) { Augmentations = augmentations },
            recipe,
            new TrainerOptions
            {
                MetricsCsv = context.OutputPath(MetricsFile),
                CurvesPng = context.OutputPath(CurvesFile),
                Checkpoints = RecipeParams.ReadCheckpoints(context, key),
            },
            context.Cancellation);
        context.Log.Info($"final validation accuracy {result.History[^1].ValAcc:P2}" +
                         (result.ResumedFrom is null ? "" : $" (resumed at step {result.ResumedAtStep} of {result.Steps})"));
        return result;
    }
}

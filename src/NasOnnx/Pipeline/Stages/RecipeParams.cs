using NasOnnx.Training;

namespace NasOnnx.Pipeline.Stages;

/// <summary>The training-recipe params shared by every stage that trains, and their mapping to <see cref="TrainingRecipe"/>.</summary>
public static class RecipeParams
{
    private static readonly TrainingRecipe D = new();

    public static IReadOnlyList<ParamSpec> Specs { get; } =
    [
        ParamSpec.Int("epochs", D.Epochs, "training epochs"),
        ParamSpec.Int("batch_size", D.BatchSize, "images per step"),
        ParamSpec.Float("lr", D.LearningRate, "peak learning rate (SGD)"),
        ParamSpec.Float("min_lr", D.MinLearningRate, "learning rate at the end of the cosine schedule"),
        ParamSpec.Float("momentum", D.Momentum, "SGD momentum"),
        ParamSpec.Bool("nesterov", D.Nesterov, "Nesterov momentum"),
        ParamSpec.Float("weight_decay", D.WeightDecay, "L2 weight decay"),
        ParamSpec.Float("warmup_epochs", D.WarmupEpochs, "linear warm-up length in epochs"),
        ParamSpec.Float("label_smoothing", D.LabelSmoothing, "label smoothing of the cross-entropy loss"),
        ParamSpec.Float("grad_clip", D.GradClip, "gradient-norm clip (0: off)"),
        ParamSpec.Float("data_fraction", D.DataFraction, "share of the training images used"),
    ];

    public static TrainingRecipe Read(StageContext c) => new()
    {
        Epochs = (int)c.Int("epochs"),
        BatchSize = (int)c.Int("batch_size"),
        LearningRate = c.Float("lr"),
        MinLearningRate = c.Float("min_lr"),
        Momentum = c.Float("momentum"),
        Nesterov = c.Bool("nesterov"),
        WeightDecay = c.Float("weight_decay"),
        WarmupEpochs = c.Float("warmup_epochs"),
        LabelSmoothing = c.Float("label_smoothing"),
        GradClip = c.Float("grad_clip"),
        DataFraction = c.Float("data_fraction"),
        Seed = c.Seed,
    };

    public static void Validate(StageContext c)
    {
        void Require(bool ok, string what, string fix)
        {
            if (!ok) throw c.Error(what, fix, c.PipelineFile);
        }
        Require(c.Int("epochs") >= 1, $"epochs must be at least 1, got {c.Int("epochs")}", "set epochs: 1 or more");
        Require(c.Int("batch_size") >= 1, $"batch_size must be at least 1, got {c.Int("batch_size")}", "set e.g. batch_size: 128");
        Require(c.Float("lr") > 0, $"lr must be positive, got {c.Float("lr")}", "set e.g. lr: 0.05");
        Require(c.Float("data_fraction") is > 0 and <= 1, $"data_fraction must be in (0, 1], got {c.Float("data_fraction")}", "set e.g. data_fraction: 0.5");
        Require(c.Float("label_smoothing") is >= 0 and < 1, "label_smoothing must be in [0, 1)", "set e.g. label_smoothing: 0.1");
    }
}

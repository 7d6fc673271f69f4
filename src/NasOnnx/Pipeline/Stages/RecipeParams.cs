using NasOnnx.Data;
using NasOnnx.Training;
using NasOnnx.Core;
using NasOnnx.Ops;

namespace NasOnnx.Pipeline.Stages;

/// <summary>The training-recipe params shared by every stage that trains, and their mapping to <see cref="TrainingRecipe"/>.</summary>
public static class RecipeParams
{
    private static readonly TrainingRecipe D = new();

    public static IReadOnlyList<ParamSpec> Specs { get; } =
    [
        ParamSpec.Choice("optimizer", D.Optimizer, "sgd (momentum, Nesterov) or adamw (text models)", TrainingRecipe.SgdOptimizer, TrainingRecipe.AdamWOptimizer),
        ParamSpec.Int("epochs", D.Epochs, "training epochs"),
        ParamSpec.Int("batch_size", D.BatchSize, "images per step"),
        ParamSpec.Float("lr", D.LearningRate, "peak learning rate (SGD: e.g. 0.05; AdamW: e.g. 0.002)"),
        ParamSpec.Float("min_lr", D.MinLearningRate, "learning rate at the end of the cosine schedule"),
        ParamSpec.Float("momentum", D.Momentum, "SGD momentum"),
        ParamSpec.Bool("nesterov", D.Nesterov, "Nesterov momentum"),
        ParamSpec.Float("weight_decay", D.WeightDecay, "L2 weight decay"),
        ParamSpec.Float("warmup_epochs", D.WarmupEpochs, "linear warm-up length in epochs"),
        ParamSpec.Float("label_smoothing", D.LabelSmoothing, "label smoothing of the cross-entropy loss"),
        ParamSpec.Float("grad_clip", D.GradClip, "gradient-norm clip (0: off)"),
        ParamSpec.Float("data_fraction", D.DataFraction, "share of the training images used"),
    ];

    /// <summary>Augmentation params (per-image, deterministic from (seed, epoch, image)).</summary>
    public static IReadOnlyList<ParamSpec> AugmentSpecs { get; } =
    [
        ParamSpec.Int("crop_padding", 0, "random crop with this much zero padding on each side (0: off; e.g. 2 for 28x28, 4 for 32x32)"),
        ParamSpec.Choice("flip", "auto", "random horizontal flip: auto = on unless it changes the label (off for MNIST digits)", "auto", "on", "off"),
        ParamSpec.Int("cutout", 0, "cutout square side in pixels (0: off; DARTS uses 16 on CIFAR)"),
        ParamSpec.Float("random_erasing", 0.0, "probability of random erasing per image: a 2-40% rectangle filled with noise (0: off; Zhong et al. use 0.5)"),
    ];

    /// <summary>Checkpoint params; they do not change results, so they are left out of the checkpoint key.</summary>
    public static IReadOnlyList<ParamSpec> CheckpointSpecs { get; } =
    [
        ParamSpec.Int("checkpoint_every_steps", 0, "also checkpoint every this many steps inside an epoch (0: only after each epoch)"),
        ParamSpec.Int("keep_checkpoints", 2, "how many of the newest checkpoints to keep while the stage runs"),
    ];

    /// <summary>Params for cell networks (the retrain stage): auxiliary head and drop-path.</summary>
    public static IReadOnlyList<ParamSpec> CellSpecs { get; } =
    [
        ParamSpec.Float("aux_weight", 0.0, "weight of the auxiliary head's loss (DARTS: 0.4; 0: off)"),
        ParamSpec.Float("drop_path", 0.0, "final drop-path probability, raised linearly over the epochs (DARTS: 0.2)"),
    ];

    public static IReadOnlySet<string> CheckpointParamNames { get; } = CheckpointSpecs.Select(p => p.Name).ToHashSet();

    /// <summary>The augmentations the params ask for, for the named dataset.</summary>
    public static IReadOnlyList<IAugmentation> ReadAugmentations(StageContext c, PreparedDataset data)
    {
        if (!data.IsText) return Augmentations.Build(data.Name, (int)c.Int("crop_padding"), c.RequiredString("flip"), (int)c.Int("cutout"), c.Float("random_erasing"));
        // Image augmentations have no meaning on token ids: flip's "auto" means off, anything asked for explicitly is an error.
        if (c.Int("crop_padding") > 0 || c.Int("cutout") > 0 || c.Float("random_erasing") > 0 || c.RequiredString("flip") == "on")
            throw c.Error($"{data.Name} is text: crop_padding, cutout, random_erasing and flip are image augmentations", "leave them out (or at 0 / auto) for text data", c.PipelineFile);
        return [];
    }

    public static CheckpointOptions ReadCheckpoints(StageContext c, string key) => new()
    {
        Directory = c.WorkDir,
        Key = key,
        KeepLast = (int)c.Int("keep_checkpoints"),
        EveryNSteps = (int)c.Int("checkpoint_every_steps"),
    };

    public static TrainingRecipe Read(StageContext c) => new()
    {
        Optimizer = c.RequiredString("optimizer"),
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
        AuxWeight = c.Params.ContainsKey("aux_weight") ? c.Float("aux_weight") : 0,
        DropPath = c.Params.ContainsKey("drop_path") ? c.Float("drop_path") : 0,
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
        if (c.Params.ContainsKey("crop_padding"))
        {
            Require(c.Int("crop_padding") >= 0, "crop_padding must be 0 or more", "set e.g. crop_padding: 2");
            Require(c.Int("cutout") >= 0, "cutout must be 0 or more", "set e.g. cutout: 8");
            Require(c.Float("random_erasing") is >= 0 and <= 1, $"random_erasing is a probability, got {c.Float("random_erasing")}", "set e.g. random_erasing: 0.5 (0: off)");
        }
        if (c.Params.ContainsKey("keep_checkpoints"))
        {
            Require(c.Int("keep_checkpoints") >= 1, "keep_checkpoints must be at least 1", "set e.g. keep_checkpoints: 2");
            Require(c.Int("checkpoint_every_steps") >= 0, "checkpoint_every_steps must be 0 (off) or more", "set e.g. checkpoint_every_steps: 200");
        }
        if (c.Params.ContainsKey("aux_weight"))
        {
            Require(c.Float("aux_weight") >= 0, "aux_weight must be 0 or more", "set e.g. aux_weight: 0.4");
            Require(c.Float("drop_path") is >= 0 and < 1, "drop_path must be in [0, 1)", "set e.g. drop_path: 0.2");
        }
    }

    /// <summary>
    /// The key a training stage's checkpoints carry: stage kind and version, code, seed, threads, every param except
    /// the checkpoint params, the content of the data input and the network description. A checkpoint with
    /// another key is refused, so a resumed run continues only what the same run started.
    /// </summary>
    public static string CheckpointKey(StageContext c, int stageVersion, string dataFile, string network) =>
        ContentHash.OfString(System.Text.Json.JsonSerializer.Serialize(new
        {
            c.Kind,
            Version = stageVersion,
            Code = PipelineRunner.CodeVersion,
            c.Seed,
            Threads = NasOnnx.Runtime.TorchRuntime.Threads,
            Params = c.Params.Where(p => !CheckpointParamNames.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={System.Text.Json.JsonSerializer.Serialize(p.Value)}").ToList(),
            Data = File.Exists(dataFile) ? ContentHash.OfFile(dataFile) : "none",
            Network = network,
        }))[..16];
}

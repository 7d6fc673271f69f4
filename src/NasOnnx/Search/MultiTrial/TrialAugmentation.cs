using NasOnnx.Data;
using NasOnnx.Training;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// How trials regularize from rung <see cref="FromRung"/> on (0-based): the image augmentations and label smoothing of the
/// retrain's recipe. Without them a trial ranks networks by how fast they fit clean images, and the retrain, which trains
/// with them for many more epochs, rewards something else: on Fashion-MNIST the search's favourite after 6 plain epochs
/// ended below a hand-designed network after 30 augmented ones (README, "Beating hand design").
/// </summary>
public sealed record TrialAugmentation(int CropPadding, string Flip, int Cutout, double RandomErasing, double LabelSmoothing, int FromRung)
{
    public static TrialAugmentation None { get; } = new(0, "off", 0, 0, 0, 0);

    public bool Any => CropPadding > 0 || Flip != "off" || Cutout > 0 || RandomErasing > 0 || LabelSmoothing > 0;

    public bool AppliesTo(int rung) => Any && rung >= FromRung;

    /// <summary>The augmentations for a rung's trials on this dataset (none before <see cref="FromRung"/>).</summary>
    public IReadOnlyList<IAugmentation> Build(PreparedDataset data, int rung)
    {
        if (!AppliesTo(rung)) return [];
        if (data.IsText)
        {
            if (CropPadding > 0 || Cutout > 0 || RandomErasing > 0 || Flip == "on")
                throw new NasOnnxException($"{data.Name} is text: trial_crop_padding, trial_cutout, trial_random_erasing and trial_flip are image augmentations",
                    "leave them out (or at 0 / off) for text data");
            return [];
        }
        return Augmentations.Build(data.Name, CropPadding, Flip, Cutout, RandomErasing);
    }

    /// <summary>The rung's recipe: label smoothing only from <see cref="FromRung"/> on, like the augmentations.</summary>
    public TrainingRecipe Apply(TrainingRecipe recipe, int rung) => recipe with { LabelSmoothing = AppliesTo(rung) ? LabelSmoothing : 0 };
}

namespace NasOnnx.Data;

/// <summary>Builds the augmentation list of a training run from its settings, with per-dataset defaults.</summary>
public static class Augmentations
{
    /// <summary>
    /// Whether a left-right mirror keeps an image's label. False for digits (MNIST: a mirrored 2, 3, 7
    /// is not that digit); true for clothing and natural images.
    /// </summary>
    public static bool FlipKeepsLabel(string datasetName) => datasetName switch
    {
        "mnist" => false,
        _ => true,
    };

    /// <param name="flip">"on", "off" or "auto" (on where <see cref="FlipKeepsLabel"/> says so).</param>
    /// <param name="randomErasing">Probability of <see cref="RandomErasing"/> per image (0: off).</param>
    public static IReadOnlyList<IAugmentation> Build(string datasetName, int cropPadding, string flip, int cutout, double randomErasing = 0)
    {
        var list = new List<IAugmentation>();
        if (cropPadding > 0) list.Add(new RandomCrop(cropPadding));
        bool doFlip = flip switch
        {
            "on" => true,
            "off" => false,
            "auto" => FlipKeepsLabel(datasetName),
            _ => throw new ArgumentOutOfRangeException(nameof(flip), $"flip must be on, off or auto, got '{flip}'"),
        };
        if (doFlip) list.Add(new HorizontalFlip());
        if (cutout > 0) list.Add(new Cutout(cutout));
        if (randomErasing > 0) list.Add(new RandomErasing(randomErasing));
        return list;
    }

    public static string Describe(IReadOnlyList<IAugmentation> augmentations) =>
        augmentations.Count == 0 ? "none" : string.Join(" + ", augmentations);
}

using NasOnnx.Architectures;
using NasOnnx.Data;

namespace NasOnnx.Pipeline.Stages;

/// <summary>The space options a prepared dataset asks for: image shape and classes, or vocabulary, sequence length and classes.</summary>
public static class DataSpaceOptions
{
    public static SpaceOptions From(StageContext context, PreparedDataset data, int? width, int? depth)
    {
        if (data.IsText)
            return SpaceOptions.Text(data.VocabularySize ?? throw context.Error($"the text dataset in {context.Input("data")} has no vocabulary size",
                "re-run its prepare-data stage with --force"), data.Width, data.ClassNames.Count, width, depth);
        if (data.Height != data.Width) throw context.Error($"the spaces need square images, the dataset has {data.Height}x{data.Width}");
        return new SpaceOptions(data.Channels, data.Height, data.ClassNames.Count, width, depth);
    }
}

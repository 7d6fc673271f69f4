using NasOnnx.Architectures;
using NasOnnx.Core;
using NasOnnx.Data;

namespace NasOnnx.Pipeline.Stages;

/// <summary>The space options a prepared dataset asks for: image shape and classes, or vocabulary, sequence length and classes.</summary>
public static class DataSpaceOptions
{
    public const string OpsParam = "ops";
    public const string PoolingsParam = "poolings";

    /// <summary>The text space's op and pooling sets, for the stages that create a space (search, profile-latency): both must
    /// name the same sets, since a latency table only covers the ops it was profiled with.</summary>
    public static IReadOnlyList<ParamSpec> TextSpaceParams { get; } =
    [
        ParamSpec.NameList(OpsParam, null, "text space: the ops a layer may take, e.g. [conv_k3, conv_k5, attention] (leave gru out: slow on CPU); " +
            "empty: all of conv_k1, conv_k3, conv_k5, conv_k7, max_pool_k3, avg_pool_k3, attention, gru"),
        ParamSpec.NameList(PoolingsParam, null, "text space: the head's poolings, e.g. [max]; empty: all of max, mean, max_mean"),
    ];

    public static SpaceOptions From(StageContext context, PreparedDataset data, int? width, int? depth)
    {
        string? ops = Names(context, OpsParam), poolings = Names(context, PoolingsParam);
        if (data.IsText)
        {
            int vocabulary = data.VocabularySize ?? throw context.Error($"the text dataset in {context.Input("data")} has no vocabulary size",
                "re-run its prepare-data stage with --force");
            try
            {
                return SpaceOptions.Text(vocabulary, data.Width, data.ClassNames.Count, width, depth, ops, poolings);
            }
            catch (NasOnnxException e)
            {
                throw context.Error(e.Message, e.Fix, context.PipelineFile); // unknown op, empty or repeated: name the stage and file
            }
        }
        RefuseForImages(context, ops, poolings, $"the data in {context.Input("data")} is images");
        if (data.Height != data.Width) throw context.Error($"the spaces need square images, the dataset has {data.Height}x{data.Width}");
        return new SpaceOptions(data.Channels, data.Height, data.ClassNames.Count, width, depth);
    }

    /// <summary>Before any stage runs: unknown, repeated or no ops/poolings, or ops/poolings for a space other than text, fail
    /// the pipeline now rather than after the stages before this one.</summary>
    public static void ValidateTextParams(StageContext context, string spaceName)
    {
        string? ops = Names(context, OpsParam), poolings = Names(context, PoolingsParam);
        if (spaceName != Spaces.Text.TextSpace.SpaceName) RefuseForImages(context, ops, poolings, $"the stage searches the '{spaceName}' space");
        try
        {
            Spaces.Text.TextSpace.CanonicalOps(ops);
            Spaces.Text.TextSpace.CanonicalPoolings(poolings);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, context.PipelineFile);
        }
    }

    /// <summary>The stage's ops or poolings param: null when not given (every op/pooling).</summary>
    public static string? Names(StageContext context, string param) =>
        context.Params.TryGetValue(param, out var v) && v is string s ? s : null;

    /// <summary>ops and poolings only mean something to the text space: refused, naming them, for image options.</summary>
    public static void RefuseForImages(StageContext context, string? ops, string? poolings, string why)
    {
        if (ops is null && poolings is null) return;
        string which = ops is not null && poolings is not null ? $"{OpsParam} and {PoolingsParam}" : ops is not null ? OpsParam : PoolingsParam;
        throw context.Error($"{which} restrict the text space's decisions, but {why}",
            $"leave {which} out for image spaces (darts, nb201, chain, macro)", context.PipelineFile);
    }
}

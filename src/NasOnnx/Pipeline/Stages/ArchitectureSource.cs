using System.Text.Json.Nodes;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Architectures;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Where a stage gets an architecture: an `arch` input (an earlier stage that wrote architecture.json or
/// model.arch.json) or an `arch` param naming a JSON file. The input shape and class count are re-targeted
/// to the dataset, and width/cells can be scaled, so a genome found on one dataset or scale retrains on another.
/// </summary>
public static class ArchitectureSource
{
    public const string FileName = "architecture.json";

    public static ParamSpec PathParam { get; } = ParamSpec.Str("arch", null, "architecture JSON file (used when no `arch` input is given)");
    public static ParamSpec WidthParam { get; } = ParamSpec.Int("width", 0, "override the architecture's base width (darts, nb201); 0 keeps it");
    public static ParamSpec CellsParam { get; } = ParamSpec.Int("cells", 0, "override the number of cells (darts) or cells per stage (nb201); 0 keeps it");

    public static InputSpec Input { get; } = new("arch", "a stage that wrote architecture.json (derive) or model.arch.json", Required: false);

    /// <summary>The architecture file this stage will read (for the lock's dependencies when it comes from a param).</summary>
    public static string FindFile(StageContext context)
    {
        if (context.HasInput("arch"))
        {
            string dir = context.Input("arch");
            foreach (var name in new[] { FileName, "model.arch.json" })
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
            throw context.Error($"input 'arch' ({dir}) has neither {FileName} nor model.arch.json",
                "point `arch:` at a derive or retrain stage");
        }
        string? path = context.String("arch");
        if (string.IsNullOrEmpty(path))
            throw context.Error("no architecture given", "add `inputs: { arch: <derive stage> }` or the param `arch: path/to/arch.json`", context.PipelineFile);
        string full = context.ResolvePath(path);
        if (!File.Exists(full))
            throw context.Error($"architecture file not found: {full}", "check the `arch:` param (relative paths start at the project root)", full);
        return full;
    }

    /// <summary>Reads the architecture and re-targets it to the dataset's input shape and classes, with optional scaling.</summary>
    public static IArchitecture Load(StageContext context, PreparedDataset data)
    {
        string file = FindFile(context);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(file));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw context.Error($"the architecture file is not valid JSON: {e.Message}", "fix or regenerate it (nasonnx sample writes a valid one)", file);
        }
        if (node is not JsonObject obj)
            throw context.Error("the architecture file is not a JSON object", "regenerate it with nasonnx sample or a derive stage", file);
        obj["input"] = new JsonObject { ["channels"] = data.Channels, ["height"] = data.Height, ["width"] = data.Width };
        obj["classes"] = data.ClassNames.Count;
        // A text architecture's embedding has one row per vocabulary id: it takes this dataset's vocabulary, as an image
        // architecture takes its channels.
        if (data.IsText && data.VocabularySize is int vocabulary)
        {
            if (obj["config"] is not JsonObject config) obj["config"] = config = new JsonObject();
            config["vocabulary"] = vocabulary;
        }
        Scale(context, obj, file);
        try
        {
            return SpaceRegistry.Parse(obj.ToJsonString());
        }
        catch (NasOnnxException e)
        {
            throw new NasOnnxException(e.Message, e.Fix, e) { Stage = context.StageName, FilePath = file };
        }
    }

    private static void Scale(StageContext context, JsonObject obj, string file)
    {
        long width = context.Params.ContainsKey("width") ? context.Int("width") : 0;
        long cells = context.Params.ContainsKey("cells") ? context.Int("cells") : 0;
        if (width == 0 && cells == 0) return;
        string space = obj["space"]?.GetValue<string>() ?? "";
        bool known = SpaceRegistry.Names.Contains(space, StringComparer.OrdinalIgnoreCase);
        if (obj["config"] is not JsonObject config || !known || !SpaceRegistry.Get(space).TryScale(config, (int)width, (int)cells))
        {
            // a scale of 0 and 0 changes nothing: it asks each plugin whether it scales at all
            var scalable = SpaceRegistry.NamesWhere(p => p.TryScale(new JsonObject(), 0, 0));
            throw context.Error($"width/cells scaling is supported for {string.Join(" and ", scalable)} architectures, not '{space}'",
                "remove the width and cells params, or scale the architecture JSON itself", file);
        }
    }
}

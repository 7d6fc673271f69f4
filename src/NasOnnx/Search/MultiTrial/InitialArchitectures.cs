using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Core;
using NasOnnx.Networks;
using NasOnnx.Spaces;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The architectures a multi-trial search evaluates first (the `initial_architectures` param): JSON files, e.g. a
/// hand-designed network written for a retrain stage. A file may describe its network with other space bounds than the
/// search's (a fixed 9-layer network says min_depth 9, max_depth 9): it is re-expressed in the search's bounds, input and
/// classes, and refused unless that is the same network (equal parameters and MACs) and a member of the search space,
/// so evolution can mutate it and the search's winner can be retrained like any other.
/// </summary>
public static class InitialArchitectures
{
    public const string Param = "initial_architectures";

    /// <summary>The files named by the param, resolved against the project root (none when the param is empty).</summary>
    public static IReadOnlyList<string> Files(IParamReader stage, Func<string, string> resolvePath) =>
        (stage.Params.ContainsKey(Param) ? stage.String(Param) : null) is { Length: > 0 } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(resolvePath)]
            : [];

    /// <summary>Each file's architecture, in the search space; throws naming the file and what to do.</summary>
    public static IReadOnlyList<IArchitecture> Load(ISearchSpace space, IReadOnlyList<string> files)
    {
        if (files.Count == 0) return [];
        var template = JsonNode.Parse(space.Sample(new Random(0)).ToJson())!.AsObject();
        var result = new List<IArchitecture>();
        foreach (string file in files)
        {
            var arch = LoadOne(space, template, file);
            if (result.Any(a => a.ArchId == arch.ArchId))
                throw new NasOnnxException($"{Param} names the architecture {arch.ArchId} twice ({file})", $"remove the repeated file from {Param}") { FilePath = file };
            result.Add(arch);
        }
        return result;
    }

    private static IArchitecture LoadOne(ISearchSpace space, JsonObject template, string file)
    {
        NasOnnxException Bad(string what, string fix) => new($"initial architecture {file}: {what}", fix) { FilePath = file };
        if (!File.Exists(file)) throw Bad("the file does not exist", $"check the paths in {Param} (relative paths start at the project root)");
        string text = File.ReadAllText(file);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject ?? throw Bad("not a JSON object", "give an architecture file (nasonnx sample or a derive stage writes one)");
        }
        catch (JsonException e)
        {
            throw Bad($"not valid JSON ({e.Message})", "fix or regenerate it (nasonnx sample writes a valid one)");
        }
        string? fileSpace = root["space"]?.GetValue<string>();
        if (fileSpace != space.Name)
            throw Bad($"it is an architecture of space '{fileSpace}', the search runs space '{space.Name}'", $"give {Param} only architectures of the '{space.Name}' space");

        IArchitecture original, inSpace;
        try
        {
            original = space.Parse(text);
            // the search's bounds, input and classes; the layers stay the file's
            foreach (var key in new[] { "config", "input", "classes" })
                if (template[key] is { } value) root[key] = value.DeepClone();
            inSpace = space.Parse(root.ToJsonString());
            if (space is IDecisionSpace decisions && decisions.FromChoices(decisions.ToChoices(inSpace)).ArchId != inSpace.ArchId)
                throw new NasOnnxException("its choices do not rebuild it", "");
        }
        catch (NasOnnxException e)
        {
            throw Bad($"not a member of the search space ({e.Message})",
                $"give an architecture the search's space can express (its widths, depths and ops), or widen the search stage's width/depth");
        }
        if (inSpace.ArchId != original.ArchId)
        {
            using var a = NetworkFactory.Build(original, 0);
            using var b = NetworkFactory.Build(inSpace, 0);
            var (pa, ma) = NetworkStats.Measure(a);
            var (pb, mb) = NetworkStats.Measure(b);
            if (pa != pb || ma != mb)
                throw Bad($"in the search's space bounds it is another network ({pa:N0} parameters and {ma:N0} MACs as written, {pb:N0} and {mb:N0} in the search)",
                    "write it for the search's input, classes and stem width (e.g. start from nasonnx sample with the search's width and depth)");
        }
        return inSpace;
    }
}

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using NasOnnx.Core;

namespace NasOnnx.Pipeline;

/// <summary>
/// Reads a pipeline YAML file and checks it completely against the stage registry before anything runs:
/// YAML syntax, unknown keys, unknown stage kinds, unknown params, wrong value types, inputs that name a
/// missing or later stage. Every error names the file and the line.
/// </summary>
public sealed class PipelineParser(StageRegistry registry)
{
    private static readonly string[] TopKeys = ["name", "description", "seed", "defaults", "stages"];
    private static readonly string[] StageKeys = ["name", "kind", "description", "params", "inputs", "resources"];
    private static readonly string[] ResourceKeys = ["cpus", "mem", "time", "gres", "partition", "account", "args"];

    public PipelineDefinition ParseFile(string path)
    {
        if (!File.Exists(path))
            throw new NasOnnxException($"pipeline file not found: {path}", "pass the path of a YAML file, e.g. pipeline/quickstart.yaml") { FilePath = path };
        return Parse(File.ReadAllText(path), path);
    }

    public PipelineDefinition Parse(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Error(path, new SourceSpot((int)e.Start.Line, (int)e.Start.Column), $"YAML syntax error: {Innermost(e).Message}",
                "fix the YAML at that line (indentation, a missing ':' or an unclosed quote or bracket)");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some damaged text, e.g. stray control bytes.
            throw Error(path, new SourceSpot(1, 1), $"YAML syntax error: the file is damaged or not YAML text ({e.Message})",
                "check the file for stray or binary characters, or restore it from version control");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Error(path, new SourceSpot(1, 1), "the file is empty or is not a YAML mapping", "start from pipeline/quickstart.yaml");

        CheckKeys(root, TopKeys, path, "top level");
        string name = Scalar(root, "name", path, required: true)!;
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains(' '))
            throw Error(path, Spot(root.Children[new YamlScalarNode("name")]), $"pipeline name '{name}' cannot be used as a folder name", "use letters, digits, '-' and '_'");
        long seed = 0;
        if (Scalar(root, "seed", path) is { } seedText && !long.TryParse(seedText, out seed))
            throw Error(path, Spot(root.Children[new YamlScalarNode("seed")]), $"seed '{seedText}' is not an integer", "write e.g. `seed: 42`");

        var defaults = new Dictionary<string, RawParam>(StringComparer.Ordinal);
        if (Child(root, "defaults") is { } defNode)
        {
            if (defNode is not YamlMappingNode defMap)
                throw Error(path, Spot(defNode), "`defaults` must be a mapping of param: value", null);
            foreach (var (k, v) in defMap.Children)
                defaults[((YamlScalarNode)k).Value ?? ""] = Raw(v, path);
        }

        if (Child(root, "stages") is not YamlSequenceNode stagesNode || stagesNode.Children.Count == 0)
            throw Error(path, Spot(root), "the pipeline has no `stages:` list", "add a `stages:` list with at least one stage");

        var stages = new List<StageDefinition>();
        foreach (var node in stagesNode.Children)
        {
            if (node is not YamlMappingNode sm)
                throw Error(path, Spot(node), "each stage must be a mapping with `kind:` (and optionally name, params, inputs)", null);
            CheckKeys(sm, StageKeys, path, "stage");
            string kind = Scalar(sm, "kind", path, required: true)!;
            var stageKind = registry.Find(kind)
                ?? throw Error(path, Spot(sm.Children[new YamlScalarNode("kind")]), $"unknown stage kind '{kind}'",
                    $"use one of: {string.Join(", ", registry.Kinds)}");
            string stageName = Scalar(sm, "name", path) ?? kind;
            if (stages.Any(s => s.Name == stageName))
                throw Error(path, Spot(sm), $"two stages are named '{stageName}'", "give each stage a unique `name:`");

            var parameters = new Dictionary<string, RawParam>(StringComparer.Ordinal);
            if (Child(sm, "params") is { } pNode)
            {
                if (pNode is not YamlMappingNode pm)
                    throw Error(path, Spot(pNode), $"params of stage '{stageName}' must be a mapping", null);
                foreach (var (k, v) in pm.Children)
                {
                    string pName = ((YamlScalarNode)k).Value ?? "";
                    var spec = stageKind.Params.FirstOrDefault(p => p.Name == pName)
                        ?? throw Error(path, Spot(k), $"stage '{stageName}' ({kind}) has no param '{pName}'",
                            $"known params: {string.Join(", ", stageKind.Params.Select(p => p.Name))}");
                    var raw = Raw(v, path);
                    CheckType(spec, raw, path, stageName);
                    parameters[pName] = raw;
                }
            }

            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Child(sm, "inputs") is { } iNode)
            {
                if (iNode is not YamlMappingNode im)
                    throw Error(path, Spot(iNode), $"inputs of stage '{stageName}' must be a mapping of input: stage", null);
                foreach (var (k, v) in im.Children)
                {
                    string iName = ((YamlScalarNode)k).Value ?? "";
                    if (stageKind.Inputs.All(i => i.Name != iName))
                        throw Error(path, Spot(k), $"stage '{stageName}' ({kind}) has no input '{iName}'",
                            stageKind.Inputs.Count == 0 ? "this kind takes no inputs" : $"known inputs: {string.Join(", ", stageKind.Inputs.Select(i => i.Name))}");
                    string source = (v as YamlScalarNode)?.Value ?? "";
                    if (stages.All(s => s.Name != source))
                        throw Error(path, Spot(v), $"input '{iName}' of stage '{stageName}' names '{source}', which is not an earlier stage",
                            stages.Count == 0 ? "the first stage cannot take inputs" : $"earlier stages: {string.Join(", ", stages.Select(s => s.Name))}");
                    inputs[iName] = source;
                }
            }
            foreach (var required in stageKind.Inputs.Where(i => i.Required && !inputs.ContainsKey(i.Name)))
                throw Error(path, Spot(sm), $"stage '{stageName}' ({kind}) needs input '{required.Name}' ({required.Description})",
                    $"add `inputs: {{ {required.Name}: <earlier stage> }}`");

            var resources = Child(sm, "resources") is { } rNode ? Resources(rNode, path, stageName) : null;
            stages.Add(new StageDefinition(stageName, kind, parameters, inputs, Spot(sm), resources));
        }

        // A default must mean something to at least one stage, and have the right type for every stage that takes it.
        foreach (var (key, raw) in defaults)
        {
            var takers = stages.Select(s => registry.Find(s.Kind)!).Select(k => k.Params.FirstOrDefault(p => p.Name == key)).Where(p => p is not null).ToList();
            if (takers.Count == 0 && key != "threads")
                throw Error(path, raw.Spot, $"default '{key}' is not a param of any stage in this pipeline", "remove it or fix its spelling");
            foreach (var spec in takers) CheckType(spec!, raw, path, "defaults");
        }
        return new PipelineDefinition(name, seed, defaults, stages, path);
    }

    private static void CheckType(ParamSpec spec, RawParam raw, string path, string owner)
    {
        spec.Convert(raw.Value, out var problem);
        if (problem is not null)
            throw Error(path, raw.Spot, $"param '{spec.Name}' of {owner}: {problem}", $"'{spec.Name}' takes a {spec.TypeName}: {spec.Description}");
    }

    private static RawParam Raw(YamlNode node, string path) => node switch
    {
        YamlScalarNode s => new RawParam(s.Value ?? "", Spot(s)),
        YamlSequenceNode seq => new RawParam(seq.Children.Select(c => c is YamlScalarNode cs ? cs.Value ?? ""
            : throw Error(path, Spot(c), "lists may hold only plain values", null)).ToList(), Spot(seq)),
        _ => throw Error(path, Spot(node), "a param value must be a plain value or a list of plain values", null),
    };

    /// <summary>A stage's `resources:` block: the stage's work runs as a Slurm job asking for these.</summary>
    private static Search.Execution.SlurmResources Resources(YamlNode node, string path, string stageName)
    {
        if (node is not YamlMappingNode map)
            throw Error(path, Spot(node), $"resources of stage '{stageName}' must be a mapping (cpus, mem, time, gres, partition, account, args)",
                "e.g. resources: { cpus: 4, mem: 8G, time: \"02:00:00\", gres: \"gpu:1\" }");
        CheckKeys(map, ResourceKeys, path, $"resources of stage '{stageName}'");
        int cpus = 1;
        if (Scalar(map, "cpus", path) is { } c && (!int.TryParse(c, out cpus) || cpus < 1))
            throw Error(path, Spot(Child(map, "cpus")!), $"resources.cpus of stage '{stageName}' is '{c}'", "give a whole number of CPUs, 1 or more");
        return new Search.Execution.SlurmResources
        {
            Cpus = cpus,
            Mem = Scalar(map, "mem", path),
            Time = Scalar(map, "time", path),
            Gres = Scalar(map, "gres", path),
            Partition = Scalar(map, "partition", path),
            Account = Scalar(map, "account", path),
            ExtraArgs = Scalar(map, "args", path),
        };
    }

    private static void CheckKeys(YamlMappingNode map, string[] allowed, string path, string where)
    {
        foreach (var key in map.Children.Keys)
        {
            string k = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(k))
                throw Error(path, Spot(key), $"unknown key '{k}' at {where}", $"allowed keys: {string.Join(", ", allowed)}");
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Scalar(YamlMappingNode map, string key, string path, bool required = false)
    {
        var node = Child(map, key);
        if (node is null)
            return required ? throw Error(path, Spot(map), $"missing `{key}:`", $"add `{key}:`") : null;
        if (node is not YamlScalarNode s)
            throw Error(path, Spot(node), $"`{key}` must be a plain value", null);
        return s.Value;
    }

    private static SourceSpot Spot(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static NasOnnxException Error(string path, SourceSpot spot, string message, string? fix) =>
        new($"{path}:{spot.Line}:{spot.Column}: {message}", fix) { FilePath = path, Stage = "parse" };
}

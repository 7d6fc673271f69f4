using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Core;

namespace NasOnnx.Spaces;

/// <summary>Input tensor shape without the batch dimension.</summary>
public sealed record InputShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

/// <summary>
/// Network-level parameters a space is instantiated with: input shape, classes, and the width and depth
/// knobs each space interprets (null: the space's default). Fashion-MNIST shape by default.
/// </summary>
public sealed record SpaceOptions(int Channels = 1, int Resolution = 28, int Classes = 10, int? Width = null, int? Depth = null)
{
    public static SpaceOptions FashionMnist { get; } = new();
    public static SpaceOptions Cifar10 { get; } = new(3, 32, 10);

    public InputShape Input => new(Channels, Resolution, Resolution);

    internal void Validate()
    {
        if (Channels < 1 || Resolution < 1 || Classes < 1)
            throw new NasOnnxException($"Invalid space options: channels {Channels}, resolution {Resolution}, classes {Classes}.",
                "Use positive values, e.g. channels 1, resolution 28, classes 10 for Fashion-MNIST.");
        if (Width is < 1 || Depth is < 1)
            throw new NasOnnxException($"Invalid space options: width {Width}, depth {Depth}.", "Width and depth must be at least 1.");
    }
}

/// <summary>
/// Base of the architectures our networks are built from: the input shape and class count travel with the
/// genome, so an architecture JSON alone rebuilds the network. Equality and <see cref="ArchId"/> follow the
/// canonical JSON (compact, fixed key order).
/// </summary>
public abstract record Architecture : IArchitecture
{
    protected Architecture(InputShape input, int classes)
    {
        Input = input;
        Classes = classes;
    }

    public abstract string Space { get; }
    public InputShape Input { get; }
    public int Classes { get; }

    /// <summary>Writes the space's network parameters (widths, depths) into <c>config</c>.</summary>
    protected abstract void WriteConfig(JsonObject config);

    /// <summary>Writes the decisions (cells, layers) at the top level.</summary>
    protected abstract void WriteGenome(JsonObject root);

    public JsonObject ToJsonObject()
    {
        var config = new JsonObject();
        WriteConfig(config);
        var root = new JsonObject
        {
            ["space"] = Space,
            ["input"] = new JsonObject { ["channels"] = Input.Channels, ["height"] = Input.Height, ["width"] = Input.Width },
            ["classes"] = Classes,
            ["config"] = config,
        };
        WriteGenome(root);
        return root;
    }

    public string ToJson(bool indented = true) => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    public string CanonicalJson => ToJson(indented: false);

    public string ArchId => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson)))[..12];

    /// <summary>A one-line summary for logs and the CLI.</summary>
    public abstract string Describe();

    public override string ToString() => $"{Space}:{ArchId}";

    public void Save(string path) => AtomicWrite.Text(path, ToJson() + "\n");
}

/// <summary>Helpers for reading architecture JSON with messages that say what is wrong and how to fix it.</summary>
public static class ArchJson
{
    /// <summary>Parses the text and checks the "space" field.</summary>
    public static JsonObject Root(string json, string expectedSpace)
    {
        string space = SpaceOf(json, out var root);
        if (!string.Equals(space, expectedSpace, StringComparison.OrdinalIgnoreCase))
            throw new NasOnnxException($"The architecture belongs to space '{space}', not '{expectedSpace}'.",
                $"Use an architecture sampled from the '{expectedSpace}' space, or parse it with the '{space}' space.");
        return root;
    }

    /// <summary>The "space" field of an architecture JSON.</summary>
    public static string SpaceOf(string json, out JsonObject root)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"The architecture is not valid JSON: {e.Message}", "Fix the JSON syntax, or write a new one with `nasonnx sample`.");
        }
        if (node is not JsonObject obj)
            throw new NasOnnxException("The architecture JSON must be an object.", "Write it as {\"space\": \"darts\", ...}; `nasonnx sample` shows the form.");
        root = obj;
        if (obj["space"] is not JsonValue v || !v.TryGetValue<string>(out var space) || string.IsNullOrWhiteSpace(space))
            throw new NasOnnxException("The architecture JSON has no \"space\" field.", "Add \"space\": one of darts, nb201, chain, macro.");
        return space;
    }

    public static InputShape Input(JsonObject root, SpaceOptions defaults)
    {
        if (root["input"] is not JsonObject input) return defaults.Input;
        return new InputShape(Int(input, "channels", defaults.Channels, 1), Int(input, "height", defaults.Resolution, 1), Int(input, "width", defaults.Resolution, 1));
    }

    public static int Classes(JsonObject root, SpaceOptions defaults) => Int(root, "classes", defaults.Classes, 1);

    public static JsonObject Config(JsonObject root) => root["config"] as JsonObject ?? new JsonObject();

    public static int Int(JsonObject o, string name, int fallback, int min = int.MinValue)
    {
        var n = o[name];
        // A fallback below the minimum means the field has no usable default: it must be there.
        if (n is null)
            return fallback >= min ? fallback
                : throw new NasOnnxException($"Field \"{name}\" is missing.", $"Add \"{name}\" (a whole number, at least {min}).");
        if (n is not JsonValue v || !v.TryGetValue<int>(out int value))
            throw new NasOnnxException($"Field \"{name}\" must be an integer, got {n.ToJsonString()}.", $"Write \"{name}\" as a whole number.");
        if (value < min) throw new NasOnnxException($"Field \"{name}\" is {value}; it must be at least {min}.", $"Set \"{name}\" to {min} or more.");
        return value;
    }

    public static JsonArray Array(JsonObject o, string name, string example)
    {
        if (o[name] is JsonArray a) return a;
        throw new NasOnnxException(o[name] is null ? $"The architecture has no \"{name}\" field." : $"Field \"{name}\" must be an array.",
            $"Write \"{name}\" like {example}.");
    }

    public static string String(JsonNode? n, string what)
    {
        if (n is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new NasOnnxException($"{what} must be a string, got {n?.ToJsonString() ?? "null"}.", $"Write {what} as a quoted op name.");
    }

    public static int Int(JsonNode? n, string what)
    {
        if (n is JsonValue v && v.TryGetValue<int>(out var i)) return i;
        throw new NasOnnxException($"{what} must be an integer, got {n?.ToJsonString() ?? "null"}.", $"Write {what} as a whole number.");
    }

    public static string CheckOp(string op, IReadOnlyList<string> allowed, string where)
    {
        if (allowed.Contains(op)) return op;
        throw new NasOnnxException($"Unknown op '{op}' in {where}.", $"Use one of: {string.Join(", ", allowed)}.");
    }

    public static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}

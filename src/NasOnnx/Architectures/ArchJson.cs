using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasOnnx.Architectures;

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
            throw new NasOnnxException("The architecture JSON has no \"space\" field.", "Add \"space\": one of darts, nb201, chain, macro, text.");
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

using System.Text;
using System.Text.Json.Nodes;

namespace NasOnnx.Tests.Reliability;

/// <summary>One damaged input: what was done to it, and whether every reader must refuse it.</summary>
/// <param name="MustFail">True when the damage always makes the input invalid (garbage, a cut inside the content,
/// an unknown key); false when it may happen to leave a valid input (a flipped bit in a weight, a deleted optional line).</param>
public sealed record Mutant(string Mutation, byte[] Bytes, bool MustFail);

/// <summary>Seeded generator of damaged inputs: byte-level damage for any file, line-level for text, tree-level for JSON.</summary>
public sealed class Mutator(int seed)
{
    public Random Rng { get; } = new(seed);

    public T Pick<T>(IReadOnlyList<T> items) => items[Rng.Next(items.Count)];

    /// <summary>Flips one random bit in each of <paramref name="count"/> random bytes of [start, end).</summary>
    public byte[] FlipBits(byte[] data, int count, int start = 0, int end = -1)
    {
        var copy = (byte[])data.Clone();
        if (end < 0 || end > copy.Length) end = copy.Length;
        for (int i = 0; i < count && end > start; i++) copy[Rng.Next(start, end)] ^= (byte)(1 << Rng.Next(8));
        return copy;
    }

    /// <summary>The first bytes only: a cut anywhere in [min, data.Length - 1].</summary>
    public byte[] Truncate(byte[] data, int min = 0, int? maxExclusive = null) =>
        data[..Rng.Next(min, Math.Max(min + 1, maxExclusive ?? data.Length))];

    public byte[] RandomBytes(int min, int max)
    {
        var b = new byte[Rng.Next(min, max)];
        Rng.NextBytes(b);
        return b;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    // ---- text (YAML) ----

    public string DeleteLine(string text)
    {
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(Rng.Next(lines.Count));
        return string.Join('\n', lines);
    }

    public string DuplicateLine(string text)
    {
        var lines = text.Split('\n').ToList();
        int i = Rng.Next(lines.Count);
        lines.Insert(i, lines[i]);
        return string.Join('\n', lines);
    }

    public string SwapLines(string text)
    {
        var lines = text.Split('\n');
        int a = Rng.Next(lines.Length), b = Rng.Next(lines.Length);
        (lines[a], lines[b]) = (lines[b], lines[a]);
        return string.Join('\n', lines);
    }

    public string Reindent(string text)
    {
        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim().Length > 0).ToList();
        int k = Pick(candidates);
        lines[k] = Rng.Next(2) == 0 ? "  " + lines[k] : lines[k].Length > 1 && lines[k].StartsWith("  ") ? lines[k][2..] : " " + lines[k];
        return string.Join('\n', lines);
    }

    private static readonly string[] WrongValues = ["ten", "[1, 2]", "{ a: 1 }", "1.5.2", "yes please", "0x1G", "\"\"", "~", "-3e"];

    /// <summary>Replaces the value of a `key: value` line whose value is a number or a boolean with a value of another type.</summary>
    public string? WrongType(string text)
    {
        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i =>
        {
            var (_, value) = SplitKeyValue(lines[i]);
            return value is not null && (double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) || value is "true" or "false");
        }).ToList();
        if (candidates.Count == 0) return null;
        int k = Pick(candidates);
        var (key, _) = SplitKeyValue(lines[k]);
        string wrong = Pick(WrongValues);
        // "~" (null) for a bool means "no value", which is fine; use a word there.
        if (SplitKeyValue(lines[k]).Value is "true" or "false" && wrong == "~") wrong = "maybe";
        lines[k] = key + " " + wrong;
        return string.Join('\n', lines);
    }

    /// <summary>Adds `zz_unknown_N: 1` beside a random key, at the same indentation: an unknown key, param, input or default.</summary>
    public string UnknownKey(string text)
    {
        var lines = text.Split('\n').ToList();
        var candidates = Enumerable.Range(0, lines.Count).Where(i => SplitKeyValue(lines[i]).Key is not null).ToList();
        int k = Pick(candidates);
        string line = lines[k];
        int indent = line.Length - line.TrimStart().Length;
        if (line.TrimStart().StartsWith("- ", StringComparison.Ordinal)) indent += 2;
        lines.Insert(k + 1, new string(' ', indent) + $"zz_unknown_{Rng.Next(1000)}: 1");
        return string.Join('\n', lines);
    }

    private static (string? Key, string? Value) SplitKeyValue(string line)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (line.TrimStart().StartsWith('#')) return (null, null);
        if (colon < 0) return line.TrimEnd().EndsWith(':') ? (line.TrimEnd(), null) : (null, null);
        string value = line[(colon + 2)..].Trim();
        return (line[..(colon + 1)], value.Length == 0 ? null : value);
    }

    // ---- JSON trees ----

    /// <summary>Every place in a JSON tree: (parent, property name or array index).</summary>
    public static List<(JsonNode Parent, object Where)> Places(JsonNode root)
    {
        var result = new List<(JsonNode, object)>();
        void Walk(JsonNode? node)
        {
            if (node is JsonObject o)
                foreach (var (k, v) in o) { result.Add((o, k)); Walk(v); }
            else if (node is JsonArray a)
                for (int i = 0; i < a.Count; i++) { result.Add((a, i)); Walk(a[i]); }
        }
        Walk(root);
        return result;
    }

    private static JsonNode? Get(JsonNode parent, object where) => where is string k ? parent[k] : parent[(int)where];

    private static void Set(JsonNode parent, object where, JsonNode? value)
    {
        if (where is string k) parent[k] = value;
        else parent[(int)where] = value;
    }

    /// <summary>Removes a random property (anywhere) from the tree.</summary>
    public JsonNode DeleteField(JsonNode root)
    {
        var props = Places(root).Where(p => p.Where is string).ToList();
        var (parent, where) = Pick(props);
        ((JsonObject)parent).Remove((string)where);
        return root;
    }

    private static readonly string[] WrongNames = ["bogus_op", "conv_13x13", "", "MAX_POOL_3X3", "sep_conv_3x3 ", "null"];

    /// <summary>Replaces a random string value (op names, the space) with a name no space knows.</summary>
    public JsonNode? WrongName(JsonNode root)
    {
        var strings = Places(root).Where(p => Get(p.Parent, p.Where) is JsonValue v && v.TryGetValue<string>(out _)).ToList();
        if (strings.Count == 0) return null;
        var (parent, where) = Pick(strings);
        Set(parent, where, JsonValue.Create(Pick(WrongNames)));
        return root;
    }

    /// <summary>Removes an element of a random array, or repeats one.</summary>
    public JsonNode? WrongCount(JsonNode root)
    {
        var arrays = Places(root).Select(p => Get(p.Parent, p.Where)).OfType<JsonArray>().Where(a => a.Count > 0).ToList();
        if (arrays.Count == 0) return null;
        var array = Pick(arrays);
        int i = Rng.Next(array.Count);
        if (Rng.Next(2) == 0) array.RemoveAt(i);
        else array.Insert(i, array[i]!.DeepClone());
        return root;
    }

    /// <summary>Replaces a random value with one of another type (or a number out of range).</summary>
    public JsonNode WrongType(JsonNode root)
    {
        var places = Places(root);
        var (parent, where) = Pick(places);
        var old = Get(parent, where);
        JsonNode?[] options = old is JsonValue v && v.TryGetValue<double>(out _)
            ? [JsonValue.Create("seven"), JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(2.5), null, JsonValue.Create(true), new JsonArray(), new JsonObject()]
            : [JsonValue.Create(3), JsonValue.Create(-1), null, JsonValue.Create(false), new JsonArray(), new JsonObject(), JsonValue.Create("x")];
        Set(parent, where, Pick(options));
        return root;
    }
}

using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Macro;

/// <summary>One layer: an op, its output width (convolutions only; 0 for pooling) and the earlier layers whose
/// outputs are added to its output (residual/skip connections, projected when shapes differ).</summary>
public sealed record MacroLayer(string Op, int Width, IReadOnlyList<int> Skips)
{
    public bool IsConv => Op.StartsWith("conv_", StringComparison.Ordinal);
    public int Kernel => IsConv ? Op[5] - '0' : 3;

    public bool Equals(MacroLayer? other) => other is not null && Op == other.Op && Width == other.Width && Skips.SequenceEqual(other.Skips);
    public override int GetHashCode() => HashCode.Combine(Op, Width, Skips.Count);
}

/// <summary>Network parameters: stem width, the width choices of conv layers, and the depth range.</summary>
public sealed record MacroConfig(int StemWidth, IReadOnlyList<int> Widths, int MinDepth, int MaxDepth)
{
    public bool Equals(MacroConfig? other) => other is not null && StemWidth == other.StemWidth && MinDepth == other.MinDepth && MaxDepth == other.MaxDepth && Widths.SequenceEqual(other.Widths);
    public override int GetHashCode() => HashCode.Combine(StemWidth, MinDepth, MaxDepth, Widths.Count);

    /// <summary>Layers that halve the resolution (stride 2): depth/3 and 2*depth/3.</summary>
    public static IReadOnlySet<int> Reductions(int depth) => new HashSet<int> { depth / 3, 2 * depth / 3 };
}

/// <summary>A macro architecture: a chain of layers with skip connections.</summary>
public sealed record MacroArchitecture : Architecture
{
    public MacroArchitecture(InputShape input, int classes, MacroConfig config, IReadOnlyList<MacroLayer> layers) : base(input, classes)
    {
        if (layers.Count < config.MinDepth || layers.Count > config.MaxDepth)
            throw new NasOnnxException($"The macro architecture has {layers.Count} layers; this space allows {config.MinDepth}..{config.MaxDepth}.",
                $"Use between {config.MinDepth} and {config.MaxDepth} layers, or change the config's depth range.");
        var canonical = new List<MacroLayer>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            ArchJson.CheckOp(l.Op, MacroSpace.Ops, $"layer {i}");
            int width = 0;
            if (l.IsConv)
            {
                if (!config.Widths.Contains(l.Width))
                    throw new NasOnnxException($"Layer {i} has width {l.Width}; this space allows {string.Join(", ", config.Widths)}.", "Use one of the allowed widths.");
                width = l.Width;
            }
            var skips = l.Skips.Distinct().Order().ToArray();
            if (skips.Any(s => s < 0 || s >= i))
                throw new NasOnnxException($"Layer {i} has a skip from layer {skips.First(s => s < 0 || s >= i)}; skips come from earlier layers 0..{i - 1}.", "Remove the skip or point it at an earlier layer.");
            canonical.Add(new MacroLayer(l.Op, width, skips));
        }
        Config = config;
        Layers = canonical;
    }

    public override string Space => MacroSpace.SpaceName;
    public MacroConfig Config { get; }
    public IReadOnlyList<MacroLayer> Layers { get; }

    protected override void WriteConfig(JsonObject config)
    {
        config["stem_width"] = Config.StemWidth;
        config["widths"] = ArchJson.Ints(Config.Widths);
        config["min_depth"] = Config.MinDepth;
        config["max_depth"] = Config.MaxDepth;
    }

    protected override void WriteGenome(JsonObject root) =>
        root["layers"] = new JsonArray(Layers.Select(l =>
        {
            var o = new JsonObject { ["op"] = l.Op };
            if (l.IsConv) o["width"] = l.Width;
            o["skips"] = ArchJson.Ints(l.Skips);
            return (JsonNode)o;
        }).ToArray());

    public override string Describe() =>
        $"macro [{string.Join(" ", Layers.Select((l, i) => (l.IsConv ? $"{l.Op}x{l.Width}" : l.Op) + (l.Skips.Count > 0 ? "+" + string.Join("+", l.Skips) : "")))}]";

    public bool Equals(MacroArchitecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// The classic macro framing: depth, per-layer type (convolution with kernel size and width, or pooling)
/// and skip connections from any earlier layer. Decisions: depth, then per layer up to the maximum depth its op,
/// width and one yes/no per earlier layer; decisions of layers past the depth are ignored.
/// </summary>
public sealed class MacroSpace : DecisionSpaceBase<MacroArchitecture>
{
    public const string SpaceName = "macro";

    public static readonly IReadOnlyList<string> Ops = ["conv_1x1", "conv_3x3", "conv_5x5", "max_pool_3x3", "avg_pool_3x3"];

    private readonly List<Decision> _decisions = [];
    private readonly int[] _layerStart;

    public MacroSpace(SpaceOptions? options = null) : base(options ?? SpaceOptions.FashionMnist)
    {
        int w = Options.Width ?? 16, max = Options.Depth ?? 6;
        Config = new MacroConfig(w, [w, 2 * w, 4 * w], Math.Max(1, (max + 1) / 2), max);
        _decisions.Add(new Decision("depth", Enumerable.Range(Config.MinDepth, Config.MaxDepth - Config.MinDepth + 1).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()));
        _layerStart = new int[Config.MaxDepth];
        for (int i = 0; i < Config.MaxDepth; i++)
        {
            _layerStart[i] = _decisions.Count;
            _decisions.Add(new Decision($"layer{i}.op", Ops));
            _decisions.Add(new Decision($"layer{i}.width", Config.Widths.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()));
            for (int j = 0; j < i; j++) _decisions.Add(new Decision($"layer{i}.skip_from{j}", ["no", "yes"]));
        }
    }

    public override string Name => SpaceName;
    public MacroConfig Config { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    public override BigInteger Size
    {
        get
        {
            BigInteger total = 0;
            int perLayer = 3 * Config.Widths.Count + 2;
            for (int d = Config.MinDepth; d <= Config.MaxDepth; d++)
                total += BigInteger.Pow(perLayer, d) * BigInteger.Pow(2, d * (d - 1) / 2);
            return total;
        }
    }

    protected override IEnumerable<int> ActiveDecisions(IReadOnlyList<int> choices)
    {
        yield return 0;
        int depth = Config.MinDepth + choices[0];
        for (int i = 0; i < depth; i++)
        {
            int s = _layerStart[i];
            yield return s;
            if (Ops[choices[s]].StartsWith("conv_", StringComparison.Ordinal)) yield return s + 1;
            for (int j = 0; j < i; j++) yield return s + 2 + j;
        }
    }

    public override MacroArchitecture Build(IReadOnlyList<int> choices)
    {
        int depth = Config.MinDepth + choices[0];
        var layers = new List<MacroLayer>();
        for (int i = 0; i < depth; i++)
        {
            int s = _layerStart[i];
            string op = Ops[choices[s]];
            var skips = Enumerable.Range(0, i).Where(j => choices[s + 2 + j] == 1).ToArray();
            layers.Add(new MacroLayer(op, op.StartsWith("conv_", StringComparison.Ordinal) ? Config.Widths[choices[s + 1]] : 0, skips));
        }
        return new MacroArchitecture(Options.Input, Options.Classes, Config, layers);
    }

    public override int[] Encode(MacroArchitecture arch)
    {
        if (!arch.Config.Equals(Config))
            throw new NasOnnxException("The macro architecture's config differs from this space's.", "Encode it with a space built from the same widths and depths.");
        var c = new int[_decisions.Count];
        c[0] = arch.Layers.Count - Config.MinDepth;
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            int s = _layerStart[i];
            c[s] = Ops.ToList().IndexOf(l.Op);
            c[s + 1] = l.IsConv ? Config.Widths.ToList().IndexOf(l.Width) : 0;
            foreach (var j in l.Skips) c[s + 2 + j] = 1;
        }
        return c;
    }

    public override MacroArchitecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var config = ArchJson.Config(root);
        var cfg = Config;
        if (config.Count > 0)
        {
            var widths = ArchJson.Array(config, "widths", "[16, 32, 64]").Select((n, i) => ArchJson.Int(n, $"width choice {i}")).ToArray();
            cfg = new MacroConfig(ArchJson.Int(config, "stem_width", Config.StemWidth, 1), widths,
                ArchJson.Int(config, "min_depth", Config.MinDepth, 1), ArchJson.Int(config, "max_depth", Config.MaxDepth, 1));
        }
        var layers = new List<MacroLayer>();
        foreach (var (n, i) in ArchJson.Array(root, "layers", "[{\"op\": \"conv_3x3\", \"width\": 16, \"skips\": []}, ...]").Select((n, i) => (n, i)))
        {
            if (n is not JsonObject lo) throw new NasOnnxException($"Layer {i} must be an object.", "Write layers like {\"op\": \"conv_3x3\", \"width\": 16, \"skips\": [0]}.");
            string op = ArchJson.CheckOp(ArchJson.String(lo["op"], $"the op of layer {i}"), Ops, $"layer {i}");
            int width = op.StartsWith("conv_", StringComparison.Ordinal) ? ArchJson.Int(lo, "width", cfg.Widths[0], 1) : 0;
            var skips = lo["skips"] is JsonArray sa ? sa.Select(s => ArchJson.Int(s, $"a skip of layer {i}")).ToArray() : [];
            layers.Add(new MacroLayer(op, width, skips));
        }
        return new MacroArchitecture(ArchJson.Input(root, Options), ArchJson.Classes(root, Options), cfg, layers);
    }
}

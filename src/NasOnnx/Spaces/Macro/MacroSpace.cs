using System.Numerics;
using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Macro;

/// <summary>
/// The classic macro framing: depth, per-layer type (convolution with kernel size and width, or pooling)
/// and skip connections from any earlier layer. Decisions: depth, then per layer up to the maximum depth its op,
/// width and one yes/no per earlier layer; decisions of layers past the depth are ignored.
/// </summary>
public sealed class MacroSpace : DecisionSpaceBase<MacroArchitecture>
{
    public const string SpaceName = "macro";

    /// <summary>The op names of <see cref="MacroOp.All"/>, in decision order.</summary>
    public static readonly IReadOnlyList<string> Ops = [.. MacroOp.All.Select(o => o.Name)];

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
            if (MacroOp.All[choices[s]].IsConv) yield return s + 1;
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
            var op = MacroOp.All[choices[s]];
            var skips = Enumerable.Range(0, i).Where(j => choices[s + 2 + j] == 1).ToArray();
            layers.Add(new MacroLayer(op.Name, op.IsConv ? Config.Widths[choices[s + 1]] : 0, skips));
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
            int width = MacroOp.Find(op)!.Value.IsConv ? ArchJson.Int(lo, "width", cfg.Widths[0], 1) : 0;
            var skips = lo["skips"] is JsonArray sa ? sa.Select(s => ArchJson.Int(s, $"a skip of layer {i}")).ToArray() : [];
            layers.Add(new MacroLayer(op, width, skips));
        }
        return new MacroArchitecture(ArchJson.Input(root, Options), ArchJson.Classes(root, Options), cfg, layers);
    }
}

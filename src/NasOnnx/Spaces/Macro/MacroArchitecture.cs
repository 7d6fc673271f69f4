using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Macro;

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

using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// A text architecture (TextNAS-style): the embedding, one <see cref="TextLayer"/> per layer (op, input node, skip nodes)
/// and the head's pooling. Input is 1 x 1 x sequence length (the length the data was prepared at; the network takes any).
/// </summary>
public sealed record TextArchitecture : Architecture
{
    public TextArchitecture(InputShape input, int classes, TextConfig config, TextPooling pooling, IReadOnlyList<TextLayer> layers) : base(input, classes)
    {
        config.Validate();
        if (input.Channels != 1 || input.Height != 1 || input.Width < 1)
            throw new NasOnnxException($"A text architecture's input is 1 x 1 x sequence length; got {input}.",
                "Write \"input\": {\"channels\": 1, \"height\": 1, \"width\": LENGTH} (or leave it out to take the space's).");
        if (layers.Count < 1 || layers.Count > config.MaxDepth)
            throw new NasOnnxException($"The text architecture has {layers.Count} layers; its config allows 1 to {config.MaxDepth}.",
                $"List 1 to {config.MaxDepth} layers, or raise \"max_depth\".");
        var canonical = new TextLayer[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            ArchJson.CheckOp(l.Op, TextSpace.OpNames, $"layer {i}");
            var (first, last) = config.WindowOf(i);
            string window = first == last ? $"node {first}" : $"nodes {first}..{last}";
            if (l.Input < first || l.Input > last)
                throw new NasOnnxException($"Layer {i} reads node {l.Input}, outside its window ({window}; node 0 is the embedding, node i+1 layer i).",
                    $"Use an input in {first}..{last}, or raise \"window\".");
            foreach (int s in l.Skips)
                if (s < first || s > last)
                    throw new NasOnnxException($"Layer {i} has a skip from node {s}, outside its window ({window}).", $"Use skips in {first}..{last}, or raise \"window\".");
            if (l.Skips.Distinct().Count() != l.Skips.Count)
                throw new NasOnnxException($"Layer {i} lists a skip node twice ({string.Join(", ", l.Skips)}).", "List each skip node once.");
            canonical[i] = l with { Skips = [.. l.Skips.Order()] };
        }
        Config = config;
        Pooling = pooling;
        Layers = canonical;
        Ops = [.. canonical.Select(l => TextOp.Find(l.Op)!.Value)];
    }

    public override string Space => TextSpace.SpaceName;
    public TextConfig Config { get; }
    public TextPooling Pooling { get; }
    public IReadOnlyList<TextLayer> Layers { get; }

    /// <summary>The layers' ops as values (<see cref="Layers"/> holds their names, as in the JSON).</summary>
    public IReadOnlyList<TextOp> Ops { get; }

    /// <summary>The sequence length the architecture was made for (latency is measured at it).</summary>
    public int SequenceLength => Input.Width;

    protected override void WriteConfig(JsonObject config)
    {
        config["vocabulary"] = Config.Vocabulary;
        config["embed"] = Config.Embed;
        config["width"] = Config.Width;
        config["max_depth"] = Config.MaxDepth;
        config["window"] = Config.Window;
        config["heads"] = Config.Heads;
        config["bidirectional"] = Config.Bidirectional;
        config["dropout"] = Config.Dropout;
    }

    protected override void WriteGenome(JsonObject root)
    {
        root["pooling"] = Pooling.Name();
        root["layers"] = new JsonArray(Layers.Select(l => (JsonNode)new JsonObject
        {
            ["op"] = l.Op,
            ["input"] = l.Input,
            ["skips"] = ArchJson.Ints(l.Skips),
        }).ToArray());
    }

    public override string Describe() =>
        $"text v={Config.Vocabulary} e={Config.Embed} w={Config.Width} [{string.Join(" ", Layers.Select(l => $"{l.Op}<{l.Input}" + (l.Skips.Count > 0 ? "+" + string.Join("+", l.Skips) : "")))}] pool={Pooling.Name()}";

    public bool Equals(TextArchitecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);
}

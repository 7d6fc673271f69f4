using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Chain;

/// <summary>A chain architecture: one op name per layer (an MBConv variant or skip).</summary>
public sealed record ChainArchitecture : Architecture
{
    public ChainArchitecture(InputShape input, int classes, ChainConfig config, IReadOnlyList<string> layers) : base(input, classes)
    {
        if (layers.Count != config.Layers)
            throw new NasOnnxException($"The chain has {layers.Count} layers; its stages ({string.Join(", ", config.Stages.Select(s => $"{s.Width}x{s.Depth}"))}) need {config.Layers}.",
                $"List exactly {config.Layers} ops in \"layers\".");
        var shapes = config.LayerShapes();
        for (int i = 0; i < layers.Count; i++)
        {
            ArchJson.CheckOp(layers[i], ChainSpace.OpNames, $"layer {i}");
            if (layers[i] == ChainOp.Skip.Name && !shapes[i].SkipAllowed)
                throw new NasOnnxException($"Layer {i} is 'skip' but changes shape ({shapes[i].In}->{shapes[i].Out} channels, stride {shapes[i].Stride}).",
                    "Use an MBConv op on the first layer of a stage that changes width or resolution.");
        }
        Config = config;
        Layers = layers.ToArray();
        Ops = Layers.Select(l => ChainOp.Find(l)!.Value).ToArray();
    }

    public override string Space => ChainSpace.SpaceName;
    public ChainConfig Config { get; }
    public IReadOnlyList<string> Layers { get; }

    /// <summary>The layers' ops as values (<see cref="Layers"/> holds their names, as in the JSON).</summary>
    public IReadOnlyList<ChainOp> Ops { get; }

    protected override void WriteConfig(JsonObject config)
    {
        config["stem_width"] = Config.StemWidth;
        config["stages"] = new JsonArray(Config.Stages.Select(s => (JsonNode)new JsonObject { ["width"] = s.Width, ["depth"] = s.Depth, ["stride"] = s.Stride }).ToArray());
        config["head_width"] = Config.HeadWidth;
    }

    protected override void WriteGenome(JsonObject root) =>
        root["layers"] = new JsonArray(Layers.Select(l => (JsonNode)JsonValue.Create(l)).ToArray());

    public override string Describe() => $"chain stem={Config.StemWidth} head={Config.HeadWidth} [{string.Join(" ", Layers)}]";

    public bool Equals(ChainArchitecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);
}

using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Chain;

/// <summary>A stage of the chain: <see cref="Depth"/> layers of <see cref="Width"/> channels; the first layer has <see cref="Stride"/>.</summary>
public sealed record ChainStage(int Width, int Depth, int Stride);

/// <summary>Network parameters: stem conv width, stages, 1x1 head width before pooling.</summary>
public sealed record ChainConfig(int StemWidth, IReadOnlyList<ChainStage> Stages, int HeadWidth)
{
    public int Layers => Stages.Sum(s => s.Depth);

    /// <summary>Per layer: input width, output width, stride.</summary>
    public IReadOnlyList<(int In, int Out, int Stride)> LayerShapes()
    {
        var result = new List<(int, int, int)>();
        int width = StemWidth;
        foreach (var s in Stages)
            for (int i = 0; i < s.Depth; i++)
            {
                result.Add((width, s.Width, i == 0 ? s.Stride : 1));
                width = s.Width;
            }
        return result;
    }

    public bool Equals(ChainConfig? other) => other is not null && StemWidth == other.StemWidth && HeadWidth == other.HeadWidth && Stages.SequenceEqual(other.Stages);
    public override int GetHashCode() => HashCode.Combine(StemWidth, HeadWidth, Stages.Count);
}

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
            ArchJson.CheckOp(layers[i], ChainSpace.Ops, $"layer {i}");
            if (layers[i] == ChainSpace.Skip && !ChainSpace.SkipAllowed(shapes[i]))
                throw new NasOnnxException($"Layer {i} is 'skip' but changes shape ({shapes[i].In}->{shapes[i].Out} channels, stride {shapes[i].Stride}).",
                    "Use an MBConv op on the first layer of a stage that changes width or resolution.");
        }
        Config = config;
        Layers = layers.ToArray();
    }

    public override string Space => ChainSpace.SpaceName;
    public ChainConfig Config { get; }
    public IReadOnlyList<string> Layers { get; }

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

/// <summary>
/// ProxylessNAS/FBNet-style chain: per layer MBConv with kernel 3/5/7 and expansion 3/6, or skip where the
/// layer keeps the shape. Default stages for width w and depth d: (w,d,1) (1.5w,d,2) (2w,d,2) (4w,d,2) (6w,1,1), head 8w.
/// </summary>
public sealed class ChainSpace : DecisionSpaceBase<ChainArchitecture>
{
    public const string SpaceName = "chain";
    public const string Skip = "skip";

    public static readonly IReadOnlyList<string> MbOps = [.. from k in new[] { 3, 5, 7 } from e in new[] { 3, 6 } select MbName(k, e)];
    public static readonly IReadOnlyList<string> Ops = [.. MbOps, Skip];

    public static string MbName(int kernel, int expansion) => $"mbconv_k{kernel}_e{expansion}";

    public static (int Kernel, int Expansion) ParseMb(string op) => (op[8] - '0', op[11] - '0');

    public static bool SkipAllowed((int In, int Out, int Stride) shape) => shape.Stride == 1 && shape.In == shape.Out;

    private readonly Decision[] _decisions;

    public ChainSpace(SpaceOptions? options = null, ChainConfig? config = null) : base(options ?? SpaceOptions.FashionMnist)
    {
        int w = Options.Width ?? 16, d = Options.Depth ?? 3;
        Config = config ?? new ChainConfig(w, [new(w, d, 1), new((3 * w + 1) / 2, d, 2), new(2 * w, d, 2), new(4 * w, d, 2), new(6 * w, 1, 1)], 8 * w);
        _decisions = Config.LayerShapes().Select((s, i) => new Decision($"layer{i}", SkipAllowed(s) ? Ops : MbOps)).ToArray();
    }

    public override string Name => SpaceName;
    public ChainConfig Config { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    public override ChainArchitecture Build(IReadOnlyList<int> choices) =>
        new(Options.Input, Options.Classes, Config, choices.Select((c, i) => _decisions[i].Choices[c]).ToArray());

    public override int[] Encode(ChainArchitecture arch)
    {
        if (!arch.Config.Equals(Config))
            throw new NasOnnxException("The chain architecture's stages differ from this space's.", "Encode it with a space built from the same stages.");
        return arch.Layers.Select((l, i) => _decisions[i].Choices.ToList().IndexOf(l)).ToArray();
    }

    public override ChainArchitecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var config = ArchJson.Config(root);
        var cfg = Config;
        if (config.Count > 0)
        {
            var stages = new List<ChainStage>();
            foreach (var s in ArchJson.Array(config, "stages", "[{\"width\": 16, \"depth\": 3, \"stride\": 1}, ...]"))
            {
                if (s is not JsonObject so) throw new NasOnnxException("Each chain stage must be an object.", "Write stages like {\"width\": 16, \"depth\": 3, \"stride\": 1}.");
                stages.Add(new ChainStage(ArchJson.Int(so, "width", 0, 1), ArchJson.Int(so, "depth", 0, 1), ArchJson.Int(so, "stride", 1, 1)));
            }
            cfg = new ChainConfig(ArchJson.Int(config, "stem_width", Config.StemWidth, 1), stages, ArchJson.Int(config, "head_width", Config.HeadWidth, 1));
        }
        var layers = ArchJson.Array(root, "layers", "[\"mbconv_k3_e3\", \"skip\", ...]").Select((n, i) => ArchJson.String(n, $"layer {i}")).ToArray();
        return new ChainArchitecture(ArchJson.Input(root, Options), ArchJson.Classes(root, Options), cfg, layers);
    }
}

using System.Text.Json.Nodes;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Chain;

/// <summary>
/// ProxylessNAS/FBNet-style chain: per layer MBConv with kernel 3/5/7 and expansion 3/6, or skip where the
/// layer keeps the shape. Default stages for width w and depth d: (w,d,1) (1.5w,d,2) (2w,d,2) (4w,d,2) (6w,1,1), head 8w.
/// </summary>
public sealed class ChainSpace : DecisionSpaceBase<ChainArchitecture>
{
    public const string SpaceName = "chain";

    /// <summary>Every op name a layer may have (<see cref="ChainOp.All"/>).</summary>
    public static readonly IReadOnlyList<string> OpNames = [.. ChainOp.All.Select(o => o.Name)];

    private static readonly IReadOnlyList<string> MbConvNames = [.. ChainOp.MbConvs.Select(o => o.Name)];

    private readonly Decision[] _decisions;

    public ChainSpace(SpaceOptions? options = null, ChainConfig? config = null) : base(options ?? SpaceOptions.FashionMnist)
    {
        int w = Options.Width ?? 16, d = Options.Depth ?? 3;
        Config = config ?? new ChainConfig(w, [new(w, d, 1), new((3 * w + 1) / 2, d, 2), new(2 * w, d, 2), new(4 * w, d, 2), new(6 * w, 1, 1)], 8 * w);
        _decisions = Config.LayerShapes().Select((s, i) => new Decision($"layer{i}", s.SkipAllowed ? OpNames : MbConvNames)).ToArray();
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

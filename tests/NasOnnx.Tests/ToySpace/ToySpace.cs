using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Ops;

namespace NasOnnx.Tests.ToySpace;

/// <summary>A toy architecture: a stem of <see cref="Width"/> channels and one cell op per layer.</summary>
public sealed record ToyArchitecture : Architecture
{
    public ToyArchitecture(InputShape input, int classes, int width, IReadOnlyList<string> layers) : base(input, classes)
    {
        foreach (var (op, i) in layers.Select((op, i) => (op, i))) ArchJson.CheckOp(op, ToySpace.Ops, $"layer {i}");
        Width = width;
        Layers = layers.ToArray();
    }

    public override string Space => ToySpace.SpaceName;
    public int Width { get; }
    public IReadOnlyList<string> Layers { get; }

    protected override void WriteConfig(JsonObject config) => config["width"] = Width;

    protected override void WriteGenome(JsonObject root) => root["layers"] = new JsonArray(Layers.Select(l => (JsonNode)JsonValue.Create(l)).ToArray());

    public override string Describe() => $"toy w={Width} [{string.Join(" ", Layers)}]";

    public bool Equals(ToyArchitecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// A space defined outside src/: per layer (options' depth, default 2) skip, a 3x3 conv or a 3x3 average pool, at the
/// options' width (default 4). It exists to show that a space is one folder plus its registration line.
/// </summary>
public sealed class ToySpace : DecisionSpaceBase<ToyArchitecture>
{
    public const string SpaceName = "toy";
    public static readonly IReadOnlyList<string> Ops = [CellOps.SkipConnect, CellOps.NorConv3x3, CellOps.AvgPool3x3];

    private readonly Decision[] _decisions;

    public ToySpace(SpaceOptions options) : base(options)
    {
        Width = options.Width ?? 4;
        _decisions = Enumerable.Range(0, options.Depth ?? 2).Select(i => new Decision($"layer{i}", Ops)).ToArray();
    }

    public override string Name => SpaceName;
    public int Width { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    public override ToyArchitecture Build(IReadOnlyList<int> choices) => new(Options.Input, Options.Classes, Width, choices.Select(c => Ops[c]).ToArray());

    public override int[] Encode(ToyArchitecture architecture) => architecture.Layers.Select(l => Ops.ToList().IndexOf(l)).ToArray();

    public override ToyArchitecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var layers = ArchJson.Array(root, "layers", "[\"skip_connect\", \"nor_conv_3x3\"]").Select((n, i) => ArchJson.String(n, $"layer {i}")).ToArray();
        return new ToyArchitecture(ArchJson.Input(root, Options), ArchJson.Classes(root, Options), ArchJson.Int(ArchJson.Config(root), "width", Width, 1), layers);
    }
}

using System.Text.Json.Nodes;
using NasOnnx.Ops;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Nb201;

/// <summary>NAS-Bench-201: 6 edges x 5 ops = 15,625 cells.</summary>
public sealed class Nb201Space : DecisionSpaceBase<Nb201Architecture>
{
    public const string SpaceName = "nb201";

    public static readonly IReadOnlyList<string> Ops = [CellOps.None, CellOps.SkipConnect, CellOps.NorConv1x1, CellOps.NorConv3x3, CellOps.AvgPool3x3];

    private readonly Decision[] _decisions;

    public Nb201Space(SpaceOptions? options = null) : base(options ?? SpaceOptions.FashionMnist)
    {
        Config = new Nb201Config(Options.Width ?? 16, Options.Depth ?? 5);
        CheckResolution(Options.Resolution);
        _decisions = Nb201Architecture.EdgeOrder.Select(e => new Decision($"edge{e.To}<-{e.From}", Ops)).ToArray();
    }

    internal static void CheckResolution(int size)
    {
        if (size % 4 != 0)
            throw new NasOnnxException($"The NAS-Bench-201 skeleton halves the resolution twice with a 2x2 average-pool shortcut, so it needs a size divisible by 4; got {size}.",
                "Use a resolution such as 8, 16, 28 or 32.");
    }

    public override string Name => SpaceName;
    public Nb201Config Config { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    public override Nb201Architecture Build(IReadOnlyList<int> choices) =>
        new(Options.Input, Options.Classes, Config, choices.Select(c => Ops[c]).ToArray());

    public override int[] Encode(Nb201Architecture arch) => arch.Edges.Select(e => Ops.ToList().IndexOf(e)).ToArray();

    public override Nb201Architecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var config = ArchJson.Config(root);
        var cfg = new Nb201Config(ArchJson.Int(config, "width", Config.Width, 1), ArchJson.Int(config, "cells_per_stage", Config.CellsPerStage, 0));
        var input = ArchJson.Input(root, Options);
        CheckResolution(input.Height);
        CheckResolution(input.Width);
        var edges = ArchJson.Array(root, "edges", "[\"nor_conv_3x3\", \"skip_connect\", ...] (6 ops)")
            .Select((n, i) => ArchJson.String(n, $"edge {i}")).ToArray();
        return new Nb201Architecture(input, ArchJson.Classes(root, Options), cfg, edges);
    }
}

using System.Text.Json.Nodes;
using NasOnnx.Ops;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Darts;

/// <summary>
/// The DARTS cell space. The op vocabulary has 8 ops (with 'none', for supernets); a derived cell uses the 7
/// others, as DARTS' derivation never keeps 'none'. Size: (1*3*6*10 * 7^8)^2, about 1.1e18.
/// Decisions per cell and node: the pair of inputs, then the op on the lower and on the higher input.
/// </summary>
public sealed class DartsSpace : DecisionSpaceBase<DartsArchitecture>
{
    public const string SpaceName = "darts";

    /// <summary>The full op vocabulary (supernet order, as in DARTS' PRIMITIVES).</summary>
    public static readonly IReadOnlyList<string> Ops =
        [CellOps.None, CellOps.MaxPool3x3, CellOps.AvgPool3x3, CellOps.SkipConnect, CellOps.SepConv3x3, CellOps.SepConv5x5, CellOps.DilConv3x3, CellOps.DilConv5x5];

    /// <summary>The column of 'none' in <see cref="Ops"/> (a supernet edge's "no edge" choice).</summary>
    public static readonly int NoneIndex = Ops.ToList().IndexOf(CellOps.None);

    /// <summary>The ops a derived (discrete) cell may use.</summary>
    public static readonly IReadOnlyList<string> DiscreteOps = Ops.Where(o => o != CellOps.None).ToArray();

    private static readonly string[] CellNames = ["normal", "reduce"];
    private readonly List<Decision> _decisions = [];
    private readonly List<(int A, int B)>[] _pairs = new List<(int, int)>[DartsArchitecture.Nodes];

    public DartsSpace(SpaceOptions? options = null) : base(options ?? SpaceOptions.FashionMnist)
    {
        Config = new DartsConfig(Options.Width ?? 16, Options.Depth ?? 8);
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
        {
            _pairs[node] = [];
            for (int a = 0; a < node + 2; a++)
                for (int b = a + 1; b < node + 2; b++) _pairs[node].Add((a, b));
        }
        foreach (var cell in CellNames)
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
            {
                _decisions.Add(new Decision($"{cell}.node{node}.inputs", _pairs[node].Select(p => $"{p.A},{p.B}").ToArray()));
                _decisions.Add(new Decision($"{cell}.node{node}.op_a", DiscreteOps));
                _decisions.Add(new Decision($"{cell}.node{node}.op_b", DiscreteOps));
            }
    }

    public override string Name => SpaceName;
    public DartsConfig Config { get; }
    public override IReadOnlyList<Decision> Decisions => _decisions;

    public override DartsArchitecture Build(IReadOnlyList<int> choices)
    {
        var cells = new List<DartsEdge>[2];
        int k = 0;
        for (int c = 0; c < 2; c++)
        {
            cells[c] = [];
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
            {
                var (a, b) = _pairs[node][choices[k++]];
                cells[c].Add(new DartsEdge(DiscreteOps[choices[k++]], a));
                cells[c].Add(new DartsEdge(DiscreteOps[choices[k++]], b));
            }
        }
        return new DartsArchitecture(Options.Input, Options.Classes, Config, cells[0], cells[1]);
    }

    public override int[] Encode(DartsArchitecture arch)
    {
        var result = new List<int>();
        foreach (var cell in new[] { arch.Normal, arch.Reduce })
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
            {
                var a = cell[2 * node];
                var b = cell[2 * node + 1];
                result.Add(_pairs[node].IndexOf((a.Input, b.Input)));
                result.Add(Index(a.Op));
                result.Add(Index(b.Op));
            }
        return result.ToArray();

        static int Index(string op)
        {
            int i = DiscreteOps.ToList().IndexOf(op);
            if (i < 0) throw new NasOnnxException($"Op '{op}' is not a decision of the DARTS space.", $"Derived cells use: {string.Join(", ", DiscreteOps)}.");
            return i;
        }
    }

    public override DartsArchitecture ParseArchitecture(string json)
    {
        var root = ArchJson.Root(json, SpaceName);
        var config = ArchJson.Config(root);
        var cfg = new DartsConfig(ArchJson.Int(config, "width", Config.Width, 1), ArchJson.Int(config, "cells", Config.Cells, 1));
        return new DartsArchitecture(ArchJson.Input(root, Options), ArchJson.Classes(root, Options), cfg, Cell(root, "normal"), Cell(root, "reduce"));

        static List<DartsEdge> Cell(JsonObject root, string name)
        {
            const string example = "[[\"sep_conv_3x3\", 0], [\"skip_connect\", 1], ...] (8 [op, input] pairs)";
            var edges = new List<DartsEdge>();
            foreach (var item in ArchJson.Array(root, name, example))
            {
                if (item is not JsonArray pair || pair.Count != 2)
                    throw new NasOnnxException($"Each edge of \"{name}\" must be an [op, input] pair, got {item?.ToJsonString() ?? "null"}.", $"Write \"{name}\" like {example}.");
                string op = ArchJson.String(pair[0], $"the op of an edge in \"{name}\"");
                if (op == CellOps.None)
                    throw new NasOnnxException($"The {name} cell uses 'none'; a derived DARTS cell keeps 2 non-'none' edges per node.",
                        $"Replace 'none' with one of: {string.Join(", ", DiscreteOps)}.");
                ArchJson.CheckOp(op, DiscreteOps, $"the {name} cell");
                edges.Add(new DartsEdge(op, ArchJson.Int(pair[1], $"the input of an edge in \"{name}\"")));
            }
            return edges;
        }
    }
}

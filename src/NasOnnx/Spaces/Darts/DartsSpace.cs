using System.Text.Json.Nodes;
using NasOnnx.Ops;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Darts;

/// <summary>One edge of a derived DARTS cell: an op applied to input state <see cref="Input"/> (0, 1: the cell inputs; 2..: earlier nodes).</summary>
public sealed record DartsEdge(string Op, int Input);

/// <summary>Network parameters: initial channels C (the stem has 3C) and the number of cells (reductions at 1/3 and 2/3).</summary>
public sealed record DartsConfig(int Width, int Cells);

/// <summary>
/// A DARTS genotype: a normal and a reduction cell, each 4 intermediate nodes x 2 edges from distinct
/// earlier states, concatenating nodes 2..5. Edges of a node are kept sorted by input.
/// </summary>
public sealed record DartsArchitecture : Architecture
{
    public const int Nodes = 4;

    public DartsArchitecture(InputShape input, int classes, DartsConfig config, IReadOnlyList<DartsEdge> normal, IReadOnlyList<DartsEdge> reduce)
        : base(input, classes)
    {
        Config = config;
        Normal = Canonical(normal, "normal");
        Reduce = Canonical(reduce, "reduce");
    }

    public override string Space => DartsSpace.SpaceName;
    public DartsConfig Config { get; }
    public IReadOnlyList<DartsEdge> Normal { get; }
    public IReadOnlyList<DartsEdge> Reduce { get; }

    private static DartsEdge[] Canonical(IReadOnlyList<DartsEdge> edges, string cell)
    {
        if (edges.Count != 2 * Nodes)
            throw new NasOnnxException($"The {cell} cell has {edges.Count} edges; a DARTS cell has {2 * Nodes} (2 per node, 4 nodes).",
                $"List exactly {2 * Nodes} [op, input] pairs in \"{cell}\".");
        var result = new DartsEdge[2 * Nodes];
        for (int node = 0; node < Nodes; node++)
        {
            var a = edges[2 * node];
            var b = edges[2 * node + 1];
            foreach (var e in new[] { a, b })
            {
                ArchJson.CheckOp(e.Op, DartsSpace.Ops, $"the {cell} cell, node {node}");
                if (e.Input < 0 || e.Input > node + 1)
                    throw new NasOnnxException($"The {cell} cell's node {node} takes input {e.Input}; it can take 0..{node + 1}.",
                        "Inputs 0 and 1 are the cell inputs, 2.. the earlier nodes.");
            }
            if (a.Input == b.Input)
                throw new NasOnnxException($"The {cell} cell's node {node} takes input {a.Input} twice; its 2 edges must come from distinct states.",
                    "Pick two different inputs for the node.");
            (result[2 * node], result[2 * node + 1]) = a.Input < b.Input ? (a, b) : (b, a);
        }
        return result;
    }

    protected override void WriteConfig(JsonObject config)
    {
        config["width"] = Config.Width;
        config["cells"] = Config.Cells;
    }

    protected override void WriteGenome(JsonObject root)
    {
        root["normal"] = Edges(Normal);
        root["reduce"] = Edges(Reduce);
        static JsonArray Edges(IReadOnlyList<DartsEdge> edges) =>
            new(edges.Select(e => (JsonNode)new JsonArray(JsonValue.Create(e.Op), JsonValue.Create(e.Input))).ToArray());
    }

    public override string Describe() =>
        $"darts C={Config.Width} cells={Config.Cells} normal=[{string.Join(" ", Normal.Select(e => $"{e.Op}~{e.Input}"))}] reduce=[{string.Join(" ", Reduce.Select(e => $"{e.Op}~{e.Input}"))}]";

    public bool Equals(DartsArchitecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);

    /// <summary>Indices of the cells that reduce (stride 2, double width): L/3 and 2L/3 as in DARTS.</summary>
    public static IReadOnlySet<int> ReductionCells(int cells) => new HashSet<int> { cells / 3, 2 * cells / 3 };
}

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

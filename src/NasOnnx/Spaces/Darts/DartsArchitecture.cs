using System.Text.Json.Nodes;
using NasOnnx.Ops;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Darts;

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

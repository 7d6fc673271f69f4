using System.Text.Json.Nodes;
using NasOnnx.Ops;
using NasOnnx.Architectures;

namespace NasOnnx.Spaces.Nb201;

/// <summary>
/// A NAS-Bench-201 cell: 4 nodes, one op on each of the 6 edges j&lt;-i, in the order
/// 1&lt;-0, 2&lt;-0, 2&lt;-1, 3&lt;-0, 3&lt;-1, 3&lt;-2 (the order of the benchmark's arch strings).
/// </summary>
public sealed record Nb201Architecture : Architecture
{
    public static readonly IReadOnlyList<(int To, int From)> EdgeOrder = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    public Nb201Architecture(InputShape input, int classes, Nb201Config config, IReadOnlyList<string> edges) : base(input, classes)
    {
        if (edges.Count != EdgeOrder.Count)
            throw new NasOnnxException($"The cell has {edges.Count} edges; a NAS-Bench-201 cell has 6.",
                "List 6 ops in \"edges\", for 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.");
        for (int i = 0; i < edges.Count; i++) ArchJson.CheckOp(edges[i], Nb201Space.Ops, $"edge {EdgeOrder[i].To}<-{EdgeOrder[i].From}");
        Config = config;
        Edges = edges.ToArray();
    }

    public override string Space => Nb201Space.SpaceName;
    public Nb201Config Config { get; }
    public IReadOnlyList<string> Edges { get; }

    /// <summary>The benchmark's arch string, e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...|.</summary>
    public string ArchString()
    {
        var parts = new List<string>();
        for (int to = 1; to <= 3; to++)
            parts.Add("|" + string.Join("|", Enumerable.Range(0, to).Select(from => $"{Edges[Index(to, from)]}~{from}")) + "|");
        return string.Join("+", parts);
    }

    public static int Index(int to, int from) => to * (to - 1) / 2 + from;

    protected override void WriteConfig(JsonObject config)
    {
        config["width"] = Config.Width;
        config["cells_per_stage"] = Config.CellsPerStage;
    }

    protected override void WriteGenome(JsonObject root) =>
        root["edges"] = new JsonArray(Edges.Select(e => (JsonNode)JsonValue.Create(e)).ToArray());

    public override string Describe() => $"nb201 C={Config.Width} N={Config.CellsPerStage} {ArchString()}";

    public bool Equals(Nb201Architecture? other) => other is not null && CanonicalJson == other.CanonicalJson;
    public override int GetHashCode() => CanonicalJson.GetHashCode(StringComparison.Ordinal);
}

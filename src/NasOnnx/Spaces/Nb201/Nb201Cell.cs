using NasOnnx.Runtime;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Nb201;

/// <summary>A NAS-Bench-201 cell: node j = sum over i &lt; j of op_ji(node i); 'none' edges add nothing (a node whose
/// edges are all 'none' is zero).</summary>
public sealed class Nb201Cell : OpModule
{
    private readonly ModuleList<OpModule> edges = new();
    private readonly string[] _ops;

    public Nb201Cell(IReadOnlyList<string> ops, long c) : base(nameof(Nb201Cell))
    {
        _ops = ops.ToArray();
        foreach (var op in ops) edges.Add(CellOps.Create(op, c, 1));
        RegisterComponents();
    }

    private IEnumerable<int> Incoming(int to)
    {
        var all = Enumerable.Range(0, to).Select(from => Nb201Architecture.Index(to, from)).ToArray();
        var live = all.Where(e => _ops[e] != CellOps.None).ToArray();
        return live.Length > 0 ? live : all.Take(1);
    }

    public override Tensor forward(Tensor x)
    {
        var nodes = new List<Tensor> { x };
        for (int to = 1; to <= 3; to++)
        {
            Tensor? sum = null;
            foreach (int e in Incoming(to))
            {
                var h = edges[e].call(nodes[Nb201Architecture.EdgeOrder[e].From]);
                sum = sum is null ? h : sum.Plus(h);
            }
            nodes.Add(sum!);
        }
        return nodes[3];
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        var nodes = new List<string> { input };
        for (int to = 1; to <= 3; to++)
        {
            var terms = Incoming(to).Select(e => edges[e].EmitOnnx(g, nodes[Nb201Architecture.EdgeOrder[e].From], $"{name}.edges.{e}")).ToArray();
            nodes.Add(g.Sum(terms, $"{name}.node{to}"));
        }
        return nodes[3];
    }
}

using NasOnnx.Supernets;
using NasOnnx.Ops;

namespace NasOnnx.Spaces.Nb201;

/// <summary>A NAS-Bench-201 search cell: node j = sum over i &lt; j of mixed edge (j, i) on node i.</summary>
public sealed class Nb201SearchCell : nn.Module
{
    private readonly ModuleList<MixedEdge> edges = new();

    public Nb201SearchCell(long c) : base(nameof(Nb201SearchCell))
    {
        foreach (var _ in Nb201Architecture.EdgeOrder)
            edges.Add(new MixedEdge(Nb201Space.Ops, (op, ch) => op == CellOps.None ? null : CellOps.Create(op, ch, 1, affine: false), c, 1));
        RegisterComponents();
    }

    public Tensor Run(Tensor x, EdgeSelection[] sel)
    {
        var nodes = new List<Tensor> { x };
        for (int to = 1; to <= 3; to++)
        {
            Tensor? sum = null;
            for (int from = 0; from < to; from++)
            {
                int e = Nb201Architecture.Index(to, from);
                sum = Supernet.Accumulate(sum, edges[e].Run(nodes[from], sel[e]));
            }
            nodes.Add(sum ?? torch.zeros_like(x));
        }
        return nodes[3];
    }
}

using NasOnnx.Supernets;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Darts;

/// <summary>A DARTS search cell: preprocess both inputs to C channels; node i = sum over j of edge(i, j)(state j).</summary>
public sealed class DartsSearchCell : nn.Module
{
    private readonly OpModule preprocess0, preprocess1;
    private readonly ModuleList<MixedEdge> edges = new();
    private readonly bool _reduction;
    private readonly long _c;

    public DartsSearchCell(long cpp, long cp, long c, bool reduction, bool reductionPrev, int partialK) : base(nameof(DartsSearchCell))
    {
        preprocess0 = reductionPrev ? new FactorizedReduce(cpp, c, affine: false) : new ConvBn(new ConvSpec(cpp, c, 1), preRelu: true, affine: false);
        preprocess1 = new ConvBn(new ConvSpec(cp, c, 1), preRelu: true, affine: false);
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
            for (int j = 0; j < node + 2; j++)
            {
                long stride = reduction && j < 2 ? 2 : 1;
                edges.Add(new MixedEdge(DartsSpace.Ops, (op, ch) => DartsSupernet.Build(op, ch, stride), c, stride, partialK));
            }
        _reduction = reduction;
        _c = c;
        RegisterComponents();
    }

    public Tensor Run(Tensor s0, Tensor s1, EdgeSelection[] sel, Tensor[]? nodeBetas)
    {
        var states = new List<Tensor> { preprocess0.call(s0), preprocess1.call(s1) };
        long h = states[1].shape[2], w = states[1].shape[3];
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
        {
            Tensor? sum = null;
            for (int j = 0; j < node + 2; j++)
            {
                int e = DartsSupernet.EdgeIndex(node, j);
                var y = edges[e].Run(states[j], sel[e]);
                if (y is not null && nodeBetas is not null)
                {
                    var scaled = y.mul(nodeBetas[node][j]);
                    y.Dispose();
                    y = scaled;
                }
                sum = Supernet.Accumulate(sum, y);
            }
            long stride = _reduction ? 2 : 1;
            states.Add(sum ?? torch.zeros([s1.shape[0], _c, Supernet.Out(h, stride), Supernet.Out(w, stride)], dtype: s1.dtype));
        }
        return torch.cat(states.Skip(2).ToArray(), 1);
    }
}

using NasOnnx.Ops;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces.Darts;

/// <summary>
/// DARTS' derivation: per node the 2 incoming edges (distinct inputs) with the strongest non-'none' op weight (times the
/// node's edge-normalization weight with partial channels), the argmax non-'none' op on each. <see cref="DeriveOptions.MaxSkip"/>
/// caps skip_connect per cell: the weakest chosen skip is banned and its edge re-chosen, until the cap holds.
/// </summary>
public static class DartsDerivation
{
    public static DartsArchitecture Derive(DartsSpace space, ArchSnapshot weights, DeriveOptions options) =>
        new(space.Options.Input, space.Options.Classes, space.Config,
            DeriveCell(AlphaDerivation.Probabilities(weights, "normal"), EdgeWeights(weights, "normal_beta"), options.MaxSkip),
            DeriveCell(AlphaDerivation.Probabilities(weights, "reduce"), EdgeWeights(weights, "reduce_beta"), options.MaxSkip));

    /// <summary>Per edge, the softmax of its beta over the edges entering the same node (1 without partial channels).</summary>
    public static double[]? EdgeWeights(ArchSnapshot arch, string group)
    {
        if (!arch.Betas.TryGetValue(group, out var betas)) return null;
        var result = new double[betas.Length];
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
        {
            int start = DartsSupernet.EdgeIndex(node, 0);
            var p = AlphaDerivation.Softmax(betas.AsSpan(start, node + 2).ToArray());
            p.CopyTo(result, start);
        }
        return result;
    }

    public static List<DartsEdge> DeriveCell(double[][] probs, double[]? edgeWeights, int maxSkip)
    {
        int skip = DartsSpace.Ops.ToList().IndexOf(CellOps.SkipConnect), none = DartsSpace.NoneIndex;
        var banned = new HashSet<(int Edge, int Op)>();
        while (true)
        {
            var chosen = new List<(int Edge, int Op, int Input, double Weight)>();
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
            {
                var candidates = new List<(int Edge, int Op, int Input, double Weight)>();
                for (int j = 0; j < node + 2; j++)
                {
                    int e = DartsSupernet.EdgeIndex(node, j);
                    int op = AlphaDerivation.Argmax(probs[e], o => o != none && !banned.Contains((e, o)));
                    if (op < 0) continue;
                    candidates.Add((e, op, j, probs[e][op] * (edgeWeights?[e] ?? 1)));
                }
                if (candidates.Count < 2)
                    throw new NasOnnxException($"max_skip leaves node {node} with fewer than 2 usable edges", "raise max_skip");
                chosen.AddRange(candidates.OrderByDescending(c => c.Weight).ThenBy(c => c.Input).Take(2).OrderBy(c => c.Input));
            }
            var skips = chosen.Where(c => c.Op == skip).ToList();
            if (maxSkip < 0 || skips.Count <= maxSkip)
                return chosen.Select(c => new DartsEdge(DartsSpace.Ops[c.Op], c.Input)).ToList();
            var weakest = skips.OrderBy(c => c.Weight).First();
            banned.Add((weakest.Edge, skip));
        }
    }
}

using NasOnnx.Ops;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Supernets;
using NasOnnx.Architectures;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// Turns architecture weights into one architecture. DARTS: per node the 2 incoming edges (distinct inputs) with the
/// strongest non-'none' op weight (times the node's edge-normalization weight with partial channels), the argmax
/// non-'none' op on each. NAS-Bench-201 and chain: argmax per decision. <see cref="DeriveOptions.MaxSkip"/> caps
/// skip_connect per cell (darts, nb201): the weakest chosen skip is banned and its edge (or node) re-chosen, until the cap holds.
/// On NAS-Bench-201 a banned skip becomes the strongest op other than 'none': the cap exists to put computation where the
/// search drifted to a parameter-free shortcut, and cutting the edge instead can leave the cell's output node with only
/// 'none' inputs (a cell that outputs zeros), which is what a collapsed search measured here would have produced.
/// </summary>
public static class OneShotDerivation
{
    public static IArchitecture Derive(ISearchSpace space, ArchSnapshot arch, DeriveOptions options) => space switch
    {
        DartsSpace d => new DartsArchitecture(d.Options.Input, d.Options.Classes, d.Config,
            DartsCell(Probabilities(arch, "normal"), EdgeWeights(arch, "normal_beta"), options.MaxSkip),
            DartsCell(Probabilities(arch, "reduce"), EdgeWeights(arch, "reduce_beta"), options.MaxSkip)),
        Nb201Space n => n.FromChoices(ArgmaxCapped(Probabilities(arch, "cell"), Nb201Space.Ops, options.MaxSkip)),
        ChainSpace c => c.FromChoices(c.Decisions.Select((_, i) => Argmax(Probabilities(arch, $"layer{i}")[0], _ => true)).ToArray()),
        _ => throw new NasOnnxException($"one-shot derive has no rule for the '{space.Name}' space", $"use one of: {string.Join(", ", SupernetFactory.Spaces)}"),
    };

    /// <summary>Row-wise softmax of a group's logits.</summary>
    public static double[][] Probabilities(ArchSnapshot arch, string group)
    {
        if (!arch.Alphas.TryGetValue(group, out var rows))
            throw new NasOnnxException($"the search outcome has no architecture weights for '{group}'", "re-run the search stage with --force");
        return rows.Select(Softmax).ToArray();
    }

    /// <summary>Per edge, the softmax of its beta over the edges entering the same node (1 without partial channels).</summary>
    private static double[]? EdgeWeights(ArchSnapshot arch, string group)
    {
        if (!arch.Betas.TryGetValue(group, out var betas)) return null;
        var result = new double[betas.Length];
        for (int node = 0; node < DartsArchitecture.Nodes; node++)
        {
            int start = DartsSupernet.EdgeIndex(node, 0);
            var p = Softmax(betas.AsSpan(start, node + 2).ToArray());
            p.CopyTo(result, start);
        }
        return result;
    }

    public static List<DartsEdge> DartsCell(double[][] probs, double[]? edgeWeights, int maxSkip)
    {
        int skip = DartsSpace.Ops.ToList().IndexOf(CellOps.SkipConnect), none = DartsSpace.Ops.ToList().IndexOf(CellOps.None);
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
                    int op = Argmax(probs[e], o => o != none && !banned.Contains((e, o)));
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

    private static int[] ArgmaxCapped(double[][] probs, IReadOnlyList<string> ops, int maxSkip)
    {
        var names = ops.ToList();
        int skip = names.IndexOf(CellOps.SkipConnect), none = names.IndexOf(CellOps.None);
        var banned = new HashSet<int>();
        while (true)
        {
            var choice = probs.Select((p, e) => banned.Contains(e) ? Argmax(p, o => o != skip && o != none) : Argmax(p, _ => true)).ToArray();
            var skips = Enumerable.Range(0, choice.Length).Where(e => choice[e] == skip).ToList();
            if (maxSkip < 0 || skips.Count <= maxSkip) return choice;
            banned.Add(skips.OrderBy(e => probs[e][skip]).First());
        }
    }

    private static int Argmax(double[] p, Func<int, bool> allowed)
    {
        int best = -1;
        for (int i = 0; i < p.Length; i++)
            if (allowed(i) && (best < 0 || p[i] > p[best])) best = i;
        return best;
    }

    public static double[] Softmax(double[] x)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}

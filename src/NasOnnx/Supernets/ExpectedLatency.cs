using NasOnnx.Runtime;
using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Supernets;

/// <summary>
/// The supernet's expected latency (ms) as a differentiable function of its architecture parameters, from a
/// profile-latency stage's lookup table (ProxylessNAS / FBNet). With p = softmax(alpha) per row:
/// <list type="bullet">
/// <item>chain, nb201: E = FixedMs + sum_rows sum_c p[row][c] * Ms[row][c]. Rows are exactly the space's decisions
/// (chain: group "layer{i}" = decision i; nb201: row e of group "cell" = decision e, shared by every cell; the table's
/// entries already sum over the cells), choices in the same order, so this is <see cref="ChoiceLatencyTable.Expected"/>.</item>
/// <item>darts: the supernet's 14 edges x 8 ops per cell type do not map onto the space's decisions (input pair,
/// op_a, op_b over 7 ops), so the table is split per edge instead (the darts space's <c>DartsLatencyModel.EdgeChoices</c>).
/// A derived node keeps 2 of its m incoming edges with their strongest non-'none' op. The edge's chance to be kept is
/// taken as k_e = 2 (1 - p_e[none]) / sum_j (1 - p_j[none]) and its op distribution as p_e[o] / (1 - p_e[none]), so
/// E_node = 2 sum_e sum_o p_e[o] Ms_e[o] / sum_e (1 - p_e[none]). Uniform alphas give exactly the space table's
/// expectation under uniform decisions; an architecture's own alphas made one-hot give its table prediction (but for
/// pools ORT merges). Raising 'none' everywhere cannot lower the estimate (a node always keeps 2 edges), unlike a plain
/// sum over the 14 edges, which rewards all-'none' cells that derive would never produce. With partial channels the
/// node's edge weights softmax(beta) multiply both sums (derive ranks edges by op weight times beta).</item>
/// </list>
/// GDAS uses the same softmax(alpha): the Gumbel-max sample picks op c with probability exactly softmax(alpha)_c, so this
/// is the expected latency of GDAS' sampled architectures, without the sample's noise.
/// </summary>
public sealed class ExpectedLatency(double fixedMs, IReadOnlyList<GroupLatency> groups)
{
    private static readonly Scalar DenominatorFloor = 1e-12.ToScalar(); // held: see Runtime.HeldScalars

    public double FixedMs { get; } = fixedMs;
    public IReadOnlyList<GroupLatency> Groups { get; } = groups;

    /// <summary>
    /// Spaces whose alpha rows are exactly their decisions (chain: group "layer{i}" = decision i; nb201: row e of group
    /// "cell" = decision e): per group, the decision index of each of its rows, against the predictor's per-decision table
    /// (<see cref="LatencyPredictor.ChoiceLatencies()"/>).
    /// </summary>
    public static ExpectedLatency ForDecisionRows(Supernet net, ChoiceLatencyTable table, IReadOnlyList<(string Group, int[] Decisions)> rows)
    {
        var space = (IDecisionSpace)net.Space;
        if (table.Ms.Length != space.Decisions.Count) throw Mismatch(net, $"{table.Ms.Length} decisions in the table, {space.Decisions.Count} in the space");
        var groups = new List<GroupLatency>();
        foreach (var (name, decisions) in rows)
        {
            var g = net.Arch.Alpha(name);
            if (g.Rows.Count != decisions.Length) throw Mismatch(net, $"{g.Rows.Count} rows in group '{name}', {decisions.Length} decisions");
            foreach (int d in decisions) Check(net, g.Choices, space.Decisions[d], table.Ms[d]);
            groups.Add(new GroupLatency(g.Name, decisions.Select(d => table.Ms[d]).ToArray()));
        }
        return new ExpectedLatency(table.FixedMs, groups);
    }

    private static void Check(Supernet net, IReadOnlyList<string> choices, Decision decision, double[] ms)
    {
        if (!choices.SequenceEqual(decision.Choices) || ms.Length != choices.Count)
            throw Mismatch(net, $"choices of '{decision.Name}' differ between supernet and table");
    }

    /// <summary>The error for a table that does not fit the supernet (profiled for another space or size).</summary>
    public static NasOnnxException Mismatch(Supernet net, string what) =>
        new($"the latency table does not match the {net.Space.Name} supernet ({what})",
            "profile latency for the same space, width and depth as the search (the profile-latency stage)");

    /// <summary>E[LAT] in ms as a 0-d tensor of the alphas' dtype; gradients flow into the architecture parameters.</summary>
    public Tensor Compute(ArchParameters arch) =>
        Compute(name => arch.Alpha(name).Logits, name => arch.Beta(name)?.Logits);

    /// <summary>E[LAT] (ms) of saved architecture weights.</summary>
    public double Ms(ArchSnapshot snapshot)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return Compute(
            name => torch.tensor(snapshot.Alphas[name].SelectMany(r => r).ToArray(), [snapshot.Alphas[name].Length, snapshot.Alphas[name][0].Length]),
            name => snapshot.Betas.TryGetValue(name, out var b) ? torch.tensor(b) : null).ToDouble();
    }

    /// <summary>E[LAT] (ms) at the supernet's current architecture parameters (in float64 whatever their dtype).</summary>
    public double Ms(ArchParameters arch)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return Compute(name => arch.Alpha(name).Logits.to_type(ScalarType.Float64), name => arch.Beta(name)?.Logits.to_type(ScalarType.Float64)).ToDouble();
    }

    /// <summary>E[LAT] (ms) of uniform architecture weights (all logits equal): the reference when no target is given.</summary>
    public double UniformMs()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return Compute(name => torch.zeros(Groups.First(g => g.Group == name).Ms.Length, Groups.First(g => g.Group == name).Ms[0].Length, dtype: ScalarType.Float64),
            name => torch.zeros(Groups.First(g => g.BetaGroup == name).Nodes!.Sum(n => n.Count), dtype: ScalarType.Float64)).ToDouble();
    }

    private Tensor Compute(Func<string, Tensor> alphas, Func<string, Tensor?> betas)
    {
        Tensor? total = null;
        foreach (var g in Groups)
        {
            var logits = alphas(g.Group);
            var p = nn.functional.softmax(logits, -1);
            var ms = torch.tensor(g.Ms.SelectMany(r => r).ToArray(), [g.Ms.Length, g.Ms[0].Length]).to_type(logits.dtype);
            var perRow = p.mul(ms).sum(-1); // sum_c p[row][c] Ms[row][c]
            Tensor term;
            if (g.Nodes is null) term = perRow.sum();
            else
            {
                // 1 - p[none], summed over the other ops: the subtraction would cancel catastrophically when 'none' dominates
                var notNone = torch.ones(g.Ms[0].Length, dtype: logits.dtype);
                notNone[g.NoneChoice] = 0;
                var keep = p.mul(notNone).sum(-1);
                if (g.BetaGroup is { } bg && betas(bg) is { } beta)
                {
                    var w = torch.cat(g.Nodes.Select(n => nn.functional.softmax(beta.narrow(0, n.Start, n.Count), 0)).ToArray()).to_type(logits.dtype);
                    perRow = perRow.mul(w);
                    keep = keep.mul(w);
                }
                using var keepPerNode = ((long)g.KeepPerNode).ToScalar(); // held: see HeldScalars
                // clamp: all-'none' rows in float32 could make the denominator 0 (the numerator is then 0 as well)
                term = torch.stack(g.Nodes.Select(n => perRow.narrow(0, n.Start, n.Count).sum()
                    .div(keep.narrow(0, n.Start, n.Count).sum().clamp_min(DenominatorFloor))).ToArray()).sum().mul(keepPerNode);
            }
            total = total is null ? term : total.Plus(term);
        }
        using var fixedMs = FixedMs.ToScalar(); // held: see HeldScalars
        return (total ?? torch.zeros(1, dtype: ScalarType.Float64).sum()).add(fixedMs, HeldScalars.LongOne);
    }
}

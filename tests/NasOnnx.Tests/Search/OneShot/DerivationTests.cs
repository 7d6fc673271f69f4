using NasOnnx.Ops;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Supernets;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>Deriving architectures from architecture weights, and the skip-connection cap.</summary>
public class DerivationTests
{
    private static int Op(string name) => DartsSpace.Ops.ToList().IndexOf(name);

    /// <summary>Alphas where skip_connect is the strongest op on every edge (the DARTS collapse), sep_conv_3x3 second;
    /// edges from the cell inputs are stronger than edges from nodes.</summary>
    private static ArchSnapshot SkipFavoured()
    {
        double[][] Cell() => DartsSupernet.EdgeNames.Select((name, e) =>
        {
            var row = new double[DartsSpace.Ops.Count];
            int input = int.Parse(name[(name.IndexOf("<-", StringComparison.Ordinal) + 2)..]);
            row[Op(CellOps.SkipConnect)] = 3 - 0.1 * input + 0.01 * e;
            row[Op(CellOps.SepConv3x3)] = 2.5 - 0.1 * input;
            row[Op(CellOps.None)] = 5; // 'none' is never kept, however strong
            return row;
        }).ToArray();
        return new ArchSnapshot { Alphas = { ["normal"] = Cell(), ["reduce"] = Cell() } };
    }

    [Fact]
    public void Darts_derive_keeps_two_strongest_non_none_edges_per_node_and_argmax_op()
    {
        var space = new DartsSpace();
        var arch = (DartsArchitecture)SupernetFactory.Derive(space, SkipFavoured(), new DeriveOptions());
        Assert.All(arch.Normal, e => Assert.Equal(CellOps.SkipConnect, e.Op));
        for (int node = 0; node < 4; node++)
            Assert.Equal([0, 1], arch.Normal.Skip(2 * node).Take(2).Select(e => e.Input)); // inputs 0 and 1 are the strongest
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Max_skip_caps_skip_connections_and_replaces_them_by_the_next_strongest_op(int maxSkip)
    {
        var space = new DartsSpace();
        var uncapped = (DartsArchitecture)SupernetFactory.Derive(space, SkipFavoured(), new DeriveOptions());
        var capped = (DartsArchitecture)SupernetFactory.Derive(space, SkipFavoured(), new DeriveOptions { MaxSkip = maxSkip });
        Assert.Equal(8, uncapped.Normal.Count(e => e.Op == CellOps.SkipConnect));
        Assert.NotEqual(uncapped.ArchId, capped.ArchId);
        foreach (var cell in new[] { capped.Normal, capped.Reduce })
        {
            Assert.Equal(maxSkip, cell.Count(e => e.Op == CellOps.SkipConnect));
            Assert.All(cell.Where(e => e.Op != CellOps.SkipConnect), e => Assert.Equal(CellOps.SepConv3x3, e.Op));
        }
        // the skips kept are the strongest ones
        var probs = AlphaDerivation.Probabilities(SkipFavoured(), "normal");
        double SkipWeight(DartsEdge e, int i) => probs[DartsSupernet.EdgeIndex(i / 2, e.Input)][Op(CellOps.SkipConnect)];
        var strongest = uncapped.Normal.Select((e, i) => (Key: (i / 2, e.Input), W: SkipWeight(e, i))).OrderByDescending(t => t.W).Take(maxSkip).Select(t => t.Key).ToHashSet();
        var kept = capped.Normal.Select((e, i) => (e, i)).Where(t => t.e.Op == CellOps.SkipConnect).Select(t => (t.i / 2, t.e.Input)).ToHashSet();
        Assert.Equal(strongest, kept);
    }

    [Fact]
    public void Partial_channel_betas_weigh_the_edge_choice()
    {
        var snap = SkipFavoured();
        // make node 0's edge from input 1 and node 3's edge from node 2 dominate through the betas
        var betas = new double[DartsSupernet.Edges];
        betas[DartsSupernet.EdgeIndex(3, 4)] = 10;
        betas[DartsSupernet.EdgeIndex(3, 3)] = 10;
        snap = snap with { Betas = new Dictionary<string, double[]> { ["normal_beta"] = betas, ["reduce_beta"] = new double[DartsSupernet.Edges] } };
        var arch = (DartsArchitecture)SupernetFactory.Derive(new DartsSpace(), snap, new DeriveOptions());
        Assert.Equal([3, 4], arch.Normal.Skip(6).Select(e => e.Input));
    }

    [Fact]
    public void Nb201_derive_is_argmax_per_edge_and_max_skip_applies()
    {
        var ops = Nb201Space.Ops.ToList();
        var rows = Enumerable.Range(0, 6).Select(e =>
        {
            var r = new double[5];
            r[ops.IndexOf(CellOps.SkipConnect)] = 2 + 0.1 * e;
            r[ops.IndexOf(CellOps.NorConv3x3)] = 1;
            return r;
        }).ToArray();
        var snap = new ArchSnapshot { Alphas = { ["cell"] = rows } };
        var space = new Nb201Space();
        var plain = (Nb201Architecture)SupernetFactory.Derive(space, snap, new DeriveOptions());
        Assert.All(plain.Edges, e => Assert.Equal(CellOps.SkipConnect, e));
        var capped = (Nb201Architecture)SupernetFactory.Derive(space, snap, new DeriveOptions { MaxSkip = 1 });
        Assert.Equal([.. Enumerable.Repeat(CellOps.NorConv3x3, 5), CellOps.SkipConnect], capped.Edges);
    }

    [Fact]
    public void Nb201_max_skip_replaces_a_skip_by_computation_not_by_none()
    {
        // The output node's edges (3<-0, 3<-1, 3<-2 = edges 3, 4, 5) drifted to none/skip, as the skip-collapse run on
        // Fashion-MNIST did: capping the weaker skip must not leave node 3 with only 'none' inputs.
        var ops = Nb201Space.Ops.ToList();
        double[] Row(params (string Op, double Logit)[] logits)
        {
            var r = new double[ops.Count];
            foreach (var (op, logit) in logits) r[ops.IndexOf(op)] = logit;
            return r;
        }
        var rows = new[]
        {
            Row([(CellOps.NorConv1x1, 1.0)]),
            Row([(CellOps.SkipConnect, 2.0), (CellOps.None, 1.0)]),
            Row([(CellOps.NorConv1x1, 1.0)]),
            Row([(CellOps.None, 2.0)]),
            Row([(CellOps.None, 2.0)]),
            Row([(CellOps.SkipConnect, 1.5), (CellOps.None, 1.0), (CellOps.AvgPool3x3, 0.5)]),
        };
        var snap = new ArchSnapshot { Alphas = { ["cell"] = rows } };
        var space = new Nb201Space();
        var plain = (Nb201Architecture)SupernetFactory.Derive(space, snap, new DeriveOptions());
        Assert.Equal(CellOps.SkipConnect, plain.Edges[5]);
        var capped = (Nb201Architecture)SupernetFactory.Derive(space, snap, new DeriveOptions { MaxSkip = 1 });
        Assert.Equal(CellOps.SkipConnect, capped.Edges[1]);   // the stronger skip stays
        Assert.Equal(CellOps.AvgPool3x3, capped.Edges[5]);    // the weaker one: strongest op that is neither skip nor none
    }
}

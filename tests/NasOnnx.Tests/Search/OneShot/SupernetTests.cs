using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using NasOnnx.Supernets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>Supernet structure and modes: weights apart from alphas, GDAS and single paths compute only the chosen ops.</summary>
public class SupernetTests
{
    private static readonly SpaceOptions Tiny = new(1, 8, 10, Width: 4, Depth: 3);

    public static TheoryData<string> Spaces => ["darts", "nb201", "chain"];

    private static Supernet Build(string space, int k = 1) => SupernetFactory.Build(
        space == "nb201" ? new Nb201Space(Tiny with { Depth = 1 }) : space == "chain" ? new ChainSpace(Tiny with { Depth = 1 }) : new DartsSpace(Tiny), k, seed: 1);

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Architecture_parameters_are_apart_from_weights_and_every_mode_runs(string space)
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        using var net = Build(space);
        var weightHandles = net.parameters().Select(p => p.Handle).ToHashSet();
        Assert.DoesNotContain(net.Arch.All, a => weightHandles.Contains(a.Handle));
        var x = torch.randn(4, 1, 8, 8);
        foreach (var mode in new[] { SupernetMode.Weighted, SupernetMode.Gumbel })
        {
            net.Mode = mode;
            Assert.Equal(new long[] { 4, 10 }, net.call(x).shape);
        }
        net.UsePath(net.Space.Sample(new Random(3)));
        Assert.Equal(new long[] { 4, 10 }, net.call(x).shape);
    }

    [Fact]
    public void Gdas_runs_only_the_sampled_op_forward_and_backward()
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        using var net = (Nb201Supernet)Build("nb201");
        net.Mode = SupernetMode.Gumbel;
        net.Noise = new Generator(5);
        var calls = new Dictionary<OpModuleKey, int>();
        var edges = net.modules().OfType<MixedEdge>().ToList();
        foreach (var (edge, ei) in edges.Select((e, i) => (e, i)))
            for (int c = 0; c < edge.Choices.Count; c++)
                if (edge.Op(c) is { } op)
                {
                    var key = new OpModuleKey(ei, c);
                    calls[key] = 0;
                    op.register_forward_hook((m, i, o) => { calls[key]++; return o; });
                }
        var loss = net.call(torch.randn(4, 1, 8, 8)).sum();
        loss.backward();
        var sample = net.LastSample["cell"];
        foreach (var (edge, ei) in edges.Select((e, i) => (e, i)))
        {
            int chosen = sample[ei % 6];
            for (int c = 0; c < edge.Choices.Count; c++)
            {
                if (edge.Op(c) is not { } op) continue;
                Assert.Equal(c == chosen ? 1 : 0, calls[new OpModuleKey(ei, c)]);
                foreach (var p in op.parameters())
                    Assert.Equal(c == chosen, p.grad is not null && p.grad.abs().sum().ToDouble() > 0);
            }
        }
        // the straight-through estimator reaches the architecture parameters
        Assert.True(net.Arch.Alpha("cell").Logits.grad!.abs().sum().ToDouble() > 0);
    }

    private readonly record struct OpModuleKey(int Edge, int Choice);

    [Fact]
    public void Partial_channels_shrink_the_ops_and_add_edge_betas()
    {
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        using var full = Build("darts");
        using var pc = Build("darts", k: 4);
        Assert.Empty(full.Arch.Betas);
        Assert.Equal(2, pc.Arch.Betas.Count);
        Assert.True(pc.parameters().Sum(p => p.numel()) < full.parameters().Sum(p => p.numel()) / 2);
        var y = pc.call(torch.randn(4, 1, 8, 8));
        y.sum().backward();
        Assert.All(pc.Arch.Betas, b => Assert.True(b.Logits.grad!.abs().sum().ToDouble() > 0));
    }

    [Fact]
    public void Single_path_matches_the_discrete_network_op_for_op()
    {
        // a DARTS path runs exactly the ops of the architecture: unused edges contribute nothing
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        using var net = (DartsSupernet)Build("darts");
        var arch = (DartsArchitecture)net.Space.Sample(new Random(4));
        var path = net.PathOf(arch);
        Assert.Equal(8, path["normal"].Count(i => i >= 0));
        Assert.All(arch.Normal, e => Assert.Equal(e.Op, DartsSpace.Ops[path["normal"][DartsSupernet.EdgeIndex(arch.Normal.ToList().IndexOf(e) / 2, e.Input)]]));
    }
}

using NasOnnx.Runtime;
using NasOnnx.Search.OneShot;
using NasOnnx.Spaces.Darts;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>DARTS' second-order architecture gradient against a numerical gradient of the unrolled objective, in float64.</summary>
public class SecondOrderGradientTests(ITestOutputHelper output)
{
    /// <summary>
    /// The production code path with the Hessian-vector finite-difference step R = 1e-6/||v|| (DARTS uses 0.01/||v||; on this
    /// tiny ReLU/max-pool supernet with batch norm over 6 images that step crosses enough kinks to be a poor derivative
    /// estimate, so the check of the formula and its implementation uses a small step in float64).
    /// </summary>
    [Fact]
    public void Second_order_gradient_matches_finite_difference_of_unrolled_objective()
    {
        const double lr = 0.5, hessianStep = 1e-6;
        TorchRuntime.Initialize(1);
        using var scope = torch.NewDisposeScope();
        var space = new DartsSpace(new SpaceOptions(1, 8, 3, Width: 4, Depth: 3));
        using var net = new DartsSupernet(space, seed: 3);
        net.ToDType(ScalarType.Float64);
        // larger alphas than the 1e-3 init so the softmax is not flat and the Hessian term matters
        using (torch.no_grad())
            foreach (var a in net.Arch.All) a.copy_(torch.randn(a.shape, dtype: ScalarType.Float64, generator: new Generator(5)));
        net.train(); // affine-free BN in train mode on fixed batches: deterministic, no running-stat dependence
        var gen = new Generator(11);
        var xt = torch.randn([6, 1, 8, 8], dtype: ScalarType.Float64, generator: gen);
        var yt = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        var xv = torch.randn([6, 1, 8, 8], dtype: ScalarType.Float64, generator: gen);
        var yv = torch.tensor(new long[] { 2, 1, 0, 2, 1, 0 });
        using var trainer = new SupernetTrainer(net, new OneShotSettings()) { HessianStep = hessianStep };
        var (grads, _, _) = trainer.SecondOrderGradient(xt, yt, xv, yv, lr);

        var weights = net.parameters().ToArray();
        var alphas = net.Arch.All.ToArray();
        double Unrolled()
        {
            using var s = torch.NewDisposeScope();
            var backup = weights.Select(w => w.detach().clone()).ToArray();
            var g = torch.autograd.grad([nn.functional.cross_entropy(net.call(xt), yt)], weights).ToArray();
            using (torch.no_grad()) for (int i = 0; i < weights.Length; i++) weights[i].add_(g[i], alpha: -lr);
            double f;
            using (torch.no_grad()) f = nn.functional.cross_entropy(net.call(xv), yv).item<double>();
            using (torch.no_grad()) for (int i = 0; i < weights.Length; i++) weights[i].copy_(backup[i]);
            return f;
        }

        // central differences on a sample of alpha entries from both cells
        const double eps = 1e-5;
        var rng = new Random(2);
        var analytic = new List<double>();
        var numeric = new List<double>();
        var sampled = new List<(int Group, long Index)>();
        for (int t = 0; t < 16; t++)
        {
            int gi = t % alphas.Length;
            var flat = alphas[gi].view(-1);
            long idx = rng.Next((int)flat.shape[0]);
            double orig = flat[idx].item<double>();
            using (torch.no_grad()) flat[idx] = orig + eps;
            double fp = Unrolled();
            using (torch.no_grad()) flat[idx] = orig - eps;
            double fm = Unrolled();
            using (torch.no_grad()) flat[idx] = orig;
            numeric.Add((fp - fm) / (2 * eps));
            analytic.Add(grads[gi].view(-1)[idx].item<double>());
            sampled.Add((gi, idx));
        }
        double diff = Math.Sqrt(analytic.Zip(numeric).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
        double norm = Math.Sqrt(numeric.Sum(v => v * v));
        double rel = diff / norm;
        // the first-order gradient alone must be measurably off, or the test would not check the Hessian term
        var (first, _, _) = trainer.FirstOrderGradient(xv, yv);
        var firstOnly = sampled.Select(p => first[p.Group].view(-1)[p.Index].item<double>()).ToList();
        double relFirst = Math.Sqrt(firstOnly.Zip(numeric).Sum(p => (p.First - p.Second) * (p.First - p.Second))) / norm;
        output.WriteLine($"relative error: second order {rel:E3}, first order alone {relFirst:E3}; |numeric| {norm:E3}");
        Assert.True(rel <= 1e-3, $"relative error {rel:E3}");
        Assert.True(relFirst > 10 * rel, $"the first-order gradient is as close ({relFirst:E3}), so the test does not exercise the Hessian term");
    }
}

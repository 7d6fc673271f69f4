using NasOnnx.Latency;
using NasOnnx.Supernets;
using NasOnnx.Architectures;
using NasOnnx.Runtime;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// SPOS' second phase: evolution over the trained supernet's inherited weights. Each candidate runs as a single path;
/// its batch-norm statistics are recalibrated on a few training batches (cumulative average) before it is scored on
/// the architecture half. Keeps the best half of the population, refills it with mutants and crossover children.
/// With a latency budget (<see cref="Predictor"/>, <see cref="BudgetMs"/>) a candidate predicted over the budget is
/// rejected before it is scored (a hard constraint that costs a table lookup, not an evaluation).
/// </summary>
public sealed class SposEvolution(Supernet net, IMutableSpace space, IReadOnlyList<(Tensor X, Tensor Y)> bnBatches, IReadOnlyList<(Tensor X, Tensor Y)> evalBatches)
{
    private readonly Dictionary<string, double> _cache = [];

    public List<SposCandidate> Log { get; } = [];

    /// <summary>Predicts candidates' latency for the budget; null: no budget.</summary>
    public ILatencyPredictor? Predictor { get; init; }

    /// <summary>The hard latency budget (ms); 0 or less: none.</summary>
    public double BudgetMs { get; init; }

    /// <summary>Candidates rejected for the budget (sampled, mutated or crossed over), and the fastest of them (ms).</summary>
    public int Rejected { get; private set; }
    public double FastestRejectedMs { get; private set; } = double.PositiveInfinity;

    private bool Budgeted => Predictor is not null && BudgetMs > 0;

    public (IArchitecture Best, double Accuracy) Run(int population, int generations, Random rng, CancellationToken cancel = default)
    {
        // rejections cost a table lookup each, so a budget allows many more draws than duplicates alone would
        int maxTries = population * (Budgeted ? 500 : 20);
        var pop = new List<(IArchitecture Arch, double Acc)>();
        for (int tries = 0; pop.Count < population && tries < maxTries; tries++)
        {
            var a = space.Sample(rng);
            if (pop.Any(p => p.Arch.ArchId == a.ArchId) || !WithinBudget(a)) continue;
            pop.Add((a, Score(a, 0, cancel)));
        }
        if (pop.Count == 0)
            throw new NasOnnxException(
                $"spos: none of {maxTries} sampled architectures is predicted under latency_target {BudgetMs:0.###} ms (the fastest was {FastestRejectedMs:0.###} ms)",
                "raise latency_target (or set it to 0 for no budget)");
        for (int g = 1; g <= generations; g++)
        {
            var parents = pop.OrderByDescending(p => p.Acc).Take(Math.Max(1, population / 2)).ToList();
            var next = new List<(IArchitecture Arch, double Acc)>(parents);
            for (int tries = 0; next.Count < population && tries < maxTries; tries++)
            {
                var p = parents[rng.Next(parents.Count)].Arch;
                var child = rng.Next(2) == 0 ? space.Mutate(p, rng) : space.Mutate(space.Crossover(p, parents[rng.Next(parents.Count)].Arch, rng), rng);
                if (next.Any(n => n.Arch.ArchId == child.ArchId) || !WithinBudget(child)) continue;
                next.Add((child, Score(child, g, cancel)));
            }
            pop = next;
        }
        var best = pop.OrderByDescending(p => p.Acc).First();
        return (best.Arch, best.Acc);
    }

    private bool WithinBudget(IArchitecture arch)
    {
        if (!Budgeted) return true;
        double ms = Predictor!.PredictMs(arch);
        if (ms <= BudgetMs) return true;
        Rejected++;
        FastestRejectedMs = Math.Min(FastestRejectedMs, ms);
        return false;
    }

    /// <summary>Accuracy of <paramref name="arch"/> with inherited weights and recalibrated batch norm.</summary>
    public double Score(IArchitecture arch, int generation, CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        if (!_cache.TryGetValue(arch.ArchId, out double acc))
        {
            net.UsePath(arch);
            Recalibrate(net, bnBatches);
            net.eval();
            long correct = 0, seen = 0;
            using (torch.no_grad())
                foreach (var (x, y) in evalBatches)
                {
                    using var scope = torch.NewDisposeScope();
                    // a NaN output would still argmax to some class and score like a poor candidate: say so instead
                    var logits = FiniteGuard.Output(FiniteGuard.SposScoring, net.call(x));
                    try { FiniteGuard.CheckOutput(FiniteGuard.SposScoring, logits, $"the supernet's output for {arch.ArchId}"); }
                    catch (DivergedException e) { throw e.At($"generation {generation}, after batch-norm recalibration on {bnBatches.Count} batches"); }
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += y.shape[0];
                }
            acc = seen == 0 ? 0 : (double)correct / seen;
            _cache[arch.ArchId] = acc;
        }
        Log.Add(new SposCandidate(generation, arch.ArchId, acc, arch.ToJson(indented: false)) { LatencyMs = Budgeted ? Predictor!.PredictMs(arch) : null });
        return acc;
    }

    /// <summary>Resets every batch norm's running statistics and re-estimates them as the plain average over the batches.</summary>
    public static void Recalibrate(nn.Module<Tensor, Tensor> net, IReadOnlyList<(Tensor X, Tensor Y)> batches)
    {
        var bns = net.modules().OfType<BatchNorm2d>().ToList();
        foreach (var bn in bns) bn.reset_running_stats();
        net.train();
        using var _ = torch.no_grad();
        for (int t = 0; t < batches.Count; t++)
        {
            foreach (var bn in bns) bn.momentum = 1.0 / (t + 1);
            using var scope = torch.NewDisposeScope();
            net.call(batches[t].X);
        }
        foreach (var bn in bns) bn.momentum = 0.1;
    }
}

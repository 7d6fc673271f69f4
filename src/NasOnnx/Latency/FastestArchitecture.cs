using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>
/// The fastest architecture a space can produce under a predictor: what a latency target must be at least.
/// <list type="bullet">
/// <item>Spaces with a per-choice split (chain, nb201, darts; <see cref="LatencyPredictor.ChoiceLatencies"/>): the fixed
/// part plus, per decision, the cheapest choice. For chain the split is exact, so this is the optimum; for nb201 and
/// darts the split is exact for most architectures (see Latency/README.md), so the argmin is then polished as below.</item>
/// <item>Any other decision space (macro: a layer's width is the next layer's input, so choices do not add up
/// independently): the fastest <c>restarts</c> of <c>samples</c> random architectures, each improved by coordinate descent
/// (try every choice of every decision, keep improvements, until none helps). This is the fastest architecture found, an upper
/// bound on the true optimum; a target between the two would be refused wrongly, which coordinate descent makes
/// unlikely in practice (it reaches the minimum depth and the cheapest op of every layer).</item>
/// <item>Spaces without decisions: the fastest of the samples.</item>
/// </list>
/// The reported latency is always the predictor's latency of a real architecture (<see cref="FastestResult.Architecture"/>).
/// </summary>
public static class FastestArchitecture
{
    public static FastestResult Find(ISearchSpace space, ILatencyPredictor predictor, int samples = 1000, int restarts = 10, int seed = 0)
    {
        IArchitecture? best = null;
        double bestMs = double.PositiveInfinity;
        string method = "random samples";
        bool exact = false;
        void Consider(IArchitecture a)
        {
            double ms = predictor.PredictMs(a);
            if (ms < bestMs) (best, bestMs) = (a, ms);
        }

        if (space is IDecisionSpace decisions && predictor is LatencyPredictor table)
        {
            ChoiceLatencyTable? split = null;
            try
            {
                split = table.ChoiceLatencies();
            }
            catch (NasOnnxException)
            {
                // no per-choice split for this space (macro): search below
            }
            if (split is not null)
            {
                var argmin = split.Ms.Select(m => Array.IndexOf(m, m.Min())).ToArray();
                Consider(decisions.FromChoices(argmin));
                method = "per-decision cheapest choice";
                exact = table.Model.ExactChoiceSplit;
            }
        }
        if (!exact)
        {
            var rng = new Random(seed);
            var sampled = Enumerable.Range(0, samples).Select(_ => space.Sample(rng)).DistinctBy(a => a.ArchId)
                .Select(a => (Arch: a, Ms: predictor.PredictMs(a))).OrderBy(p => p.Ms).ThenBy(p => p.Arch.ArchId, StringComparer.Ordinal).ToList();
            foreach (var (a, _) in sampled.Take(1)) Consider(a);
            if (space is IDecisionSpace ds)
            {
                // descend from the split's argmin (when there is one) and from the fastest few samples: a single start can stop in a local minimum
                var starts = (best is null ? [] : new[] { best }).Concat(sampled.Take(restarts).Select(p => p.Arch)).ToList();
                foreach (var start in starts)
                {
                    double ms = predictor.PredictMs(start);
                    var end = Descend(ds, predictor, start, ref ms);
                    if (ms < bestMs) (best, bestMs) = (end, ms);
                }
                method = method == "random samples" ? $"fastest of {samples} samples, then coordinate descent from the best {restarts}" : method + ", then coordinate descent";
            }
        }
        return new FastestResult(best ?? throw new NasOnnxException($"space '{space.Name}' produced no architecture", "check the space's options"), bestMs, method, exact);
    }

    /// <summary>Coordinate descent over the decisions: every choice of every decision, improvements kept, until a sweep changes nothing.</summary>
    private static IArchitecture Descend(IDecisionSpace space, ILatencyPredictor predictor, IArchitecture start, ref double ms)
    {
        var choices = space.ToChoices(start);
        var best = start;
        for (int sweep = 0; sweep < 50; sweep++)
        {
            bool improved = false;
            for (int d = 0; d < choices.Length; d++)
            {
                int keep = choices[d];
                for (int c = 0; c < space.Decisions[d].Choices.Count; c++)
                {
                    if (c == keep) continue;
                    choices[d] = c;
                    IArchitecture candidate;
                    try
                    {
                        candidate = space.FromChoices(choices);
                    }
                    catch (NasOnnxException)
                    {
                        continue; // not a valid combination in this space
                    }
                    double m = predictor.PredictMs(candidate);
                    if (m < ms - 1e-12)
                    {
                        (best, ms, keep, improved) = (candidate, m, c, true);
                    }
                }
                choices[d] = keep;
            }
            if (!improved) break;
        }
        return best;
    }
}

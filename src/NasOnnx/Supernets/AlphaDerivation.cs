namespace NasOnnx.Supernets;

/// <summary>The shared arithmetic of turning architecture weights into choices: softmax rows, argmax, the skip cap.</summary>
public static class AlphaDerivation
{
    /// <summary>Row-wise softmax of a group's logits.</summary>
    public static double[][] Probabilities(ArchSnapshot arch, string group)
    {
        if (!arch.Alphas.TryGetValue(group, out var rows))
            throw new NasOnnxException($"the search outcome has no architecture weights for '{group}'", "re-run the search stage with --force");
        return rows.Select(Softmax).ToArray();
    }

    /// <summary>
    /// Argmax per row with at most <paramref name="maxSkip"/> rows on <paramref name="skipOp"/> (-1: no cap): the weakest
    /// chosen skip is banned and its row re-chosen among the ops other than skip and <paramref name="noneOp"/>, until the cap holds.
    /// </summary>
    public static int[] ArgmaxCapped(double[][] probs, IReadOnlyList<string> ops, string skipOp, string noneOp, int maxSkip)
    {
        var names = ops.ToList();
        int skip = names.IndexOf(skipOp), none = names.IndexOf(noneOp);
        var banned = new HashSet<int>();
        while (true)
        {
            var choice = probs.Select((p, e) => banned.Contains(e) ? Argmax(p, o => o != skip && o != none) : Argmax(p, _ => true)).ToArray();
            var skips = Enumerable.Range(0, choice.Length).Where(e => choice[e] == skip).ToList();
            if (maxSkip < 0 || skips.Count <= maxSkip) return choice;
            banned.Add(skips.OrderBy(e => probs[e][skip]).First());
        }
    }

    /// <summary>The index of the largest allowed entry (the first on ties); -1 when none is allowed.</summary>
    public static int Argmax(double[] p, Func<int, bool> allowed)
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

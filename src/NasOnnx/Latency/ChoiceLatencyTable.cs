namespace NasOnnx.Latency;

/// <summary>
/// Per-decision per-choice latencies for one-shot search: the expected latency of a policy is
/// <c>FixedMs + sum_d sum_c p[d][c] * Ms[d][c]</c> (ProxylessNAS), and an architecture's is
/// <c>FixedMs + sum_d Ms[d][choice_d]</c>.
/// </summary>
public sealed record ChoiceLatencyTable(double FixedMs, double[][] Ms)
{
    public double Expected(IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        if (probabilities.Count != Ms.Length) throw new ArgumentException($"Expected {Ms.Length} decisions, got {probabilities.Count}.", nameof(probabilities));
        double sum = FixedMs;
        for (int d = 0; d < Ms.Length; d++)
        {
            if (probabilities[d].Count != Ms[d].Length) throw new ArgumentException($"Decision {d} has {Ms[d].Length} choices, got {probabilities[d].Count} probabilities.", nameof(probabilities));
            for (int c = 0; c < Ms[d].Length; c++) sum += probabilities[d][c] * Ms[d][c];
        }
        return sum;
    }

    public double Of(IReadOnlyList<int> choices)
    {
        if (choices.Count != Ms.Length) throw new ArgumentException($"Expected {Ms.Length} choices, got {choices.Count}.", nameof(choices));
        return FixedMs + choices.Select((c, d) => Ms[d][c]).Sum();
    }

    /// <summary>The same table after a calibration (scale every entry, add the overhead to the fixed part).</summary>
    public ChoiceLatencyTable Calibrated(LatencyCalibration c) =>
        new(c.Scale * FixedMs + c.OverheadMs, Ms.Select(d => d.Select(v => c.Scale * v).ToArray()).ToArray());
}

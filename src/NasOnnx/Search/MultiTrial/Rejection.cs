namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Why a candidate was refused before training: its predicted latency and the bound it broke, the limit
/// (latency_target x latency_margin) it is over, or, when <see cref="BelowFloor"/>, the floor (latency_target x
/// latency_floor) it is under.
/// </summary>
public sealed record Rejection(double PredictedMs, double LimitMs, bool BelowFloor = false)
{
    /// <summary>How far outside the allowed band, as a ratio at most 1: limit / predicted over it, predicted / floor under it.</summary>
    public double Shortfall => PredictedMs <= 0 || LimitMs <= 0 ? 0 : BelowFloor ? PredictedMs / LimitMs : LimitMs / PredictedMs;

    public override string ToString() => BelowFloor
        ? $"predicted {PredictedMs:0.000} ms < floor {LimitMs:0.000} ms"
        : $"predicted {PredictedMs:0.000} ms > limit {LimitMs:0.000} ms";
}

using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Pre-rejection by predicted latency: a candidate whose predicted latency exceeds <paramref name="limitMs"/>
/// (latency_target x latency_margin) would break the budget, so training it would only spend time. A prediction
/// costs microseconds (a table sum), a trial seconds to minutes. With a floor (latency_target x latency_floor, 0: none)
/// a candidate predicted under it is refused too: it leaves most of the budget unused, and a short trial favours such
/// small networks (they learn fastest in one epoch), so without the floor a search can settle on networks that lose
/// once every candidate is trained to convergence.
/// </summary>
public sealed class LatencyFilter(ILatencyPredictor predictor, double limitMs, double floorMs = 0) : ICandidateFilter
{
    public double LimitMs => limitMs;
    public double FloorMs => floorMs;

    public Rejection? Check(IArchitecture architecture)
    {
        double ms = predictor.PredictMs(architecture);
        if (ms > limitMs) return new Rejection(ms, limitMs);
        return ms < floorMs ? new Rejection(ms, floorMs, BelowFloor: true) : null;
    }
}

using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// Pre-rejection by predicted latency: a candidate whose predicted latency exceeds <paramref name="limitMs"/>
/// (latency_target x latency_margin) would break the budget, so training it would only spend time. A prediction
/// costs microseconds (a table sum), a trial seconds to minutes.
/// </summary>
public sealed class LatencyFilter(ILatencyPredictor predictor, double limitMs) : ICandidateFilter
{
    public double LimitMs => limitMs;

    public Rejection? Check(IArchitecture architecture)
    {
        double ms = predictor.PredictMs(architecture);
        return ms > limitMs ? new Rejection(ms, limitMs) : null;
    }
}

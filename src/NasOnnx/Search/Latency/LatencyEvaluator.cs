using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// Adds latency_ms (and, when the source is a measurement and a predictor is at hand, predicted_latency_ms) to another
/// evaluator's objectives. An inner evaluator that already measured its trained network (<see cref="MultiTrial.StandAloneEvaluator"/>
/// with a latency source) keeps its own latency_ms.
/// </summary>
public sealed class LatencyEvaluator(IEvaluator inner, ILatencySource source, ILatencyPredictor? predictor = null) : IEvaluator
{
    public const string PredictedMs = "predicted_latency_ms";

    public int Rungs => inner.Rungs;

    public IReadOnlyDictionary<string, double> Evaluate(IArchitecture architecture, int rung, CancellationToken cancellation)
    {
        var result = new Dictionary<string, double>(inner.Evaluate(architecture, rung, cancellation));
        if (!result.ContainsKey(Objectives.LatencyMs)) result[Objectives.LatencyMs] = source.Ms(architecture);
        if (predictor is not null && source is not PredictedLatency) result[PredictedMs] = predictor.PredictMs(architecture);
        return result;
    }
}

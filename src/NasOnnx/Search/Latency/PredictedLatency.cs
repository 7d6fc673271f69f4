using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>The lookup-table predictor's latency (a table sum: microseconds, deterministic).</summary>
public sealed class PredictedLatency(ILatencyPredictor predictor) : ILatencySource
{
    public string Name => "predicted";

    public double Ms(IArchitecture architecture, NasNetwork? trained = null) => predictor.PredictMs(architecture);
}

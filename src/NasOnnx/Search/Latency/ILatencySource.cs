using NasOnnx.Networks;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// Where a trial's latency (ms) comes from: the profile-latency predictor (<see cref="PredictedLatency"/>) or a
/// measurement of the network exported to ONNX (<see cref="MeasuredLatency"/>). Chosen by the `latency_source` param.
/// </summary>
public interface ILatencySource
{
    /// <summary>"predicted" or "measured".</summary>
    string Name { get; }

    /// <summary>The latency of the architecture; <paramref name="trained"/> is its trained network when the caller has one.</summary>
    double Ms(IArchitecture architecture, NasNetwork? trained = null);
}

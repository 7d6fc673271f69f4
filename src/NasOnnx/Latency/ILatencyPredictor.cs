using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>Predicts an architecture's whole-model latency (ms) on one device. What the search's latency objective uses.</summary>
public interface ILatencyPredictor
{
    double PredictMs(IArchitecture architecture);
}

using Google.Protobuf;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// Exports the network to ONNX (in memory: the harness takes the bytes, so no temp file is left behind by a kill)
/// and measures it with <see cref="LatencyHarness"/>. The trained network is exported when given; otherwise seeded
/// random weights, which time the same: the graph is the same and denormals are flushed to zero, so latency depends
/// on the architecture, not on the weight values.
/// </summary>
public sealed class MeasuredLatency(BenchmarkOptions options, int seed = 1) : ILatencySource
{
    public string Name => "measured";
    public BenchmarkOptions Options => options;

    public double Ms(IArchitecture architecture, NasNetwork? trained = null) => Measure(architecture, trained).Stats.Typical;

    /// <summary>The whole measurement (p50, p90 ... and the device fingerprint).</summary>
    public LatencyMeasurement Measure(IArchitecture architecture, NasNetwork? trained = null) =>
        LatencyHarness.Measure(OnnxBytes(architecture, trained, seed), options);

    /// <summary>Several candidates measured in interleaved rounds, so a burst of load from other processes hits all alike.</summary>
    public IReadOnlyList<LatencyMeasurement> MeasureInterleaved(IReadOnlyList<byte[]> models, int rounds = 5) =>
        LatencyHarness.MeasureInterleaved(models, options, rounds);

    /// <summary>The ONNX model of the trained network, or of the architecture with seeded random weights.</summary>
    public static byte[] OnnxBytes(IArchitecture architecture, NasNetwork? trained, int seed)
    {
        if (trained is not null)
        {
            bool wasTraining = trained.training;
            trained.eval();
            try
            {
                using var _ = torch.no_grad();
                return OnnxExporter.BuildModel(trained).ToByteArray();
            }
            finally
            {
                if (wasTraining) trained.train();
            }
        }
        using var net = NetworkFactory.BuildRandom(architecture, seed);
        net.eval();
        return OnnxExporter.BuildModel(net).ToByteArray();
    }
}

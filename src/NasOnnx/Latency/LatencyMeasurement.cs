using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

/// <summary>One measured model: statistics (ms) of the chosen clock, the raw samples, both clocks' statistics and the fingerprint.</summary>
public sealed record LatencyMeasurement(LatencyStats Stats, IReadOnlyList<double> Samples, DeviceFingerprint Fingerprint, double[]? LoadAverage, LatencyStats Wall, LatencyStats? ThreadCpu);

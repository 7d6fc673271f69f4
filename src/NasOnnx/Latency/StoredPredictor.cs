using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>A saved predictor before its space's latency model is attached: table, calibration, and what they were profiled for.</summary>
public sealed record StoredPredictor(LatencyTable Table, string Space, SpaceOptions SpaceOptions, int Batch, LatencyCalibration Calibration);

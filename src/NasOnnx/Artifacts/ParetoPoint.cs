namespace NasOnnx.Artifacts;

/// <summary>One evaluated point of an accuracy-versus-latency search.</summary>
public readonly record struct ParetoPoint(double Accuracy, double LatencyMs);

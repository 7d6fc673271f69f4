using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Latency;

/// <summary>A finalist of a latency-constrained search, measured with the harness.</summary>
public sealed record FinalCandidate(Trial Trial, double? PredictedMs, double MeasuredP50Ms, double MeasuredP90Ms, bool MeetsTarget)
{
    public double Accuracy => Trial.Objectives.TryGetValue("accuracy", out double a) ? a : double.NaN;
}

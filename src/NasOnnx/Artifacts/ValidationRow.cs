namespace NasOnnx.Artifacts;

/// <summary>One architecture: predicted and measured whole-model latency (ms).</summary>
public sealed record ValidationRow(string Space, string ArchId, double TableSumMs, double PredictedMs, double MeasuredMs, double MeasuredP90Ms, double ErrorPercent, bool Within10, string Architecture);

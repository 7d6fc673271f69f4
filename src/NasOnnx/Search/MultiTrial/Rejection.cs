namespace NasOnnx.Search.MultiTrial;

/// <summary>Why a proposal was refused before training: its predicted latency and the limit it broke (ms).</summary>
public sealed record Rejection(double PredictedMs, double LimitMs);

namespace NasOnnx.Artifacts;

/// <summary>One stage of a run: what happened, why, how long it took and where its outputs are.</summary>
public sealed record StageResult(string Stage, StageOutcome Outcome, string Reason, double Seconds, string OutputDir);

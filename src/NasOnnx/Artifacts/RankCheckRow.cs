namespace NasOnnx.Artifacts;

/// <summary>One architecture of the rank check: its accuracy with inherited supernet weights and after stand-alone training.</summary>
public sealed record RankCheckRow(int Index, string ArchId, double SupernetAccuracy, double StandAloneAccuracy, string Architecture);

namespace NasOnnx.Latency;

/// <summary>How well predictions match measurements.</summary>
public sealed record ValidationSummary(string Space, int Architectures, double ShareWithin10, double Mape, double KendallTau, double Scale, double OverheadMs, string LoadBefore, string LoadAfter, string Fingerprint);

namespace NasOnnx.Reporting.Report;

public sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null) : ReportBlock;

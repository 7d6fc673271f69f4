namespace NasOnnx.Reporting.Report;

public sealed record Paragraph(string Text) : ReportBlock;

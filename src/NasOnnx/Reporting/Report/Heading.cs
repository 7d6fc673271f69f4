namespace NasOnnx.Reporting.Report;

public sealed record Heading(int Level, string Text) : ReportBlock;

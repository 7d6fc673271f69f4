namespace NasOnnx.Reporting.Report;

public sealed record CodeBlock(string Text) : ReportBlock;

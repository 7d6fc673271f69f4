namespace NasOnnx.Reporting.Report;

/// <summary>A PNG figure; <see cref="Path"/> is the file on disk (embedded in HTML, copied beside the Markdown).</summary>
public sealed record Figure(string Caption, string Path) : ReportBlock;

namespace NasOnnx.Reporting.Report;

/// <summary>The content of a run report, independent of its format (HTML or Markdown).</summary>
public abstract record ReportBlock;

public sealed record Heading(int Level, string Text) : ReportBlock;

public sealed record Paragraph(string Text) : ReportBlock;

public sealed record CodeBlock(string Text) : ReportBlock;

public sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null) : ReportBlock;

/// <summary>A PNG figure; <see cref="Path"/> is the file on disk (embedded in HTML, copied beside the Markdown).</summary>
public sealed record Figure(string Caption, string Path) : ReportBlock;

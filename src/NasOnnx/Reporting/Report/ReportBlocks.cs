namespace NasOnnx.Reporting.Report;

/// <summary>The content of a run report, independent of its format (HTML or Markdown).</summary>
public abstract record ReportBlock;

using System.Text;

namespace NasOnnx.Reporting.Report;

/// <summary>The Markdown twin of the HTML report; figures are referenced as files in a folder beside it.</summary>
public static class MarkdownReportWriter
{
    /// <param name="figureName">Maps a figure to the relative path it is copied to.</param>
    public static string Render(IEnumerable<ReportBlock> blocks, Func<Figure, string> figureName)
    {
        var md = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h:
                    md.Append(new string('#', h.Level)).Append(' ').Append(h.Text).Append("\n\n");
                    break;
                case Paragraph p:
                    md.Append(p.Text).Append("\n\n");
                    break;
                case CodeBlock c:
                    md.Append("```\n").Append(c.Text).Append("\n```\n\n");
                    break;
                case TableBlock t:
                    if (t.Caption is not null) md.Append('*').Append(t.Caption).Append("*\n\n");
                    md.Append("| ").Append(string.Join(" | ", t.Header.Select(Cell))).Append(" |\n");
                    md.Append("|").Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                    foreach (var row in t.Rows) md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
                    md.Append('\n');
                    break;
                case Figure f:
                    md.Append("![").Append(f.Caption).Append("](").Append(figureName(f)).Append(")\n\n");
                    break;
            }
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}

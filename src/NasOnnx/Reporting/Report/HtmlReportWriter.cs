using System.Net;
using System.Text;

namespace NasOnnx.Reporting.Report;

/// <summary>
/// One self-contained HTML file: every figure is embedded as a base64 data URI, no external files or scripts.
/// The markup is XHTML-compatible (closed tags, escaped text) so it parses as XML.
/// </summary>
public static class HtmlReportWriter
{
    public static string Render(string title, IEnumerable<ReportBlock> blocks)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;font-size:.9rem}")
            .Append("th{background:#f3f3f3}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}img{max-width:100%;border:1px solid #eee}")
            .Append("figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}\n</style>\n</head>\n<body>\n");
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h:
                    html.Append($"<h{h.Level}>").Append(E(h.Text)).Append($"</h{h.Level}>\n");
                    break;
                case Paragraph p:
                    html.Append("<p>").Append(E(p.Text)).Append("</p>\n");
                    break;
                case CodeBlock c:
                    html.Append("<pre><code>").Append(E(c.Text)).Append("</code></pre>\n");
                    break;
                case TableBlock t:
                    html.Append("<table>\n");
                    if (t.Caption is not null) html.Append("<caption>").Append(E(t.Caption)).Append("</caption>\n");
                    html.Append("<tr>");
                    foreach (var cell in t.Header) html.Append("<th>").Append(E(cell)).Append("</th>");
                    html.Append("</tr>\n");
                    foreach (var row in t.Rows)
                    {
                        html.Append("<tr>");
                        foreach (var cell in row) html.Append("<td>").Append(E(cell)).Append("</td>");
                        html.Append("</tr>\n");
                    }
                    html.Append("</table>\n");
                    break;
                case Figure f:
                    string data = Convert.ToBase64String(File.ReadAllBytes(f.Path));
                    html.Append("<figure><img alt=\"").Append(E(f.Caption)).Append("\" src=\"data:image/png;base64,").Append(data)
                        .Append("\" /><figcaption>").Append(E(f.Caption)).Append("</figcaption></figure>\n");
                    break;
            }
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace NasOnnx.Tests.Pipeline;

/// <summary>Checks a report folder: the HTML parses as XML, every figure is embedded as a real PNG, the Markdown's figures exist.</summary>
public static class ReportChecks
{
    public static void AssertWellFormed(string reportDir, int minFigures)
    {
        string html = File.ReadAllText(Path.Combine(reportDir, "report.html"));
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var doc = XDocument.Load(reader);
        var images = doc.Descendants("img").ToList();
        Assert.True(images.Count >= minFigures, $"{images.Count} figures in the report");
        foreach (var img in images)
        {
            string src = img.Attribute("src")!.Value;
            Assert.StartsWith("data:image/png;base64,", src);
            byte[] png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        }
        Assert.DoesNotContain(doc.Descendants(), e => e.Attribute("href") is { } href && !href.Value.StartsWith('#'));
        Assert.Contains(doc.Descendants("h2"), h => h.Value == "Model card");
        Assert.Contains(doc.Descendants("h2"), h => h.Value == "Reproduce");

        string md = File.ReadAllText(Path.Combine(reportDir, "report.md"));
        var refs = Regex.Matches(md, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(images.Count, refs.Count);
        Assert.All(refs, r => Assert.True(File.Exists(Path.Combine(reportDir, r)), r));
    }
}

using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// Checks a report folder: the HTML parses as XML, every figure is embedded as a real PNG, the Markdown's figures
/// exist, and each section is there exactly when its inputs are in the run folder (the report folder's parent).
/// </summary>
public static class ReportChecks
{
    public static XDocument AssertWellFormed(string reportDir, int minFigures)
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
        Assert.Contains(doc.Descendants("h2"), h => h.Value == "Reproduce");
        Assert.Contains(doc.Descendants("h2"), h => h.Value == "Pipeline and lock");
        Assert.StartsWith("nasonnx run ", SectionText(doc, "Reproduce"));
        AssertSections(doc, Path.GetDirectoryName(Path.GetFullPath(reportDir))!);

        string md = File.ReadAllText(Path.Combine(reportDir, "report.md"));
        var refs = Regex.Matches(md, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(images.Count, refs.Count);
        Assert.All(refs, r => Assert.True(File.Exists(Path.Combine(reportDir, r)), r));
        return doc;
    }

    /// <summary>Each optional section is present exactly when a stage of the run left what it shows.</summary>
    public static void AssertSections(XDocument doc, string runDir)
    {
        var stageDirs = Directory.EnumerateDirectories(runDir).Where(d => !Path.GetFileName(d).StartsWith('.')).ToList();
        bool Any(string file) => stageDirs.Any(d => File.Exists(Path.Combine(d, file)));
        var h2 = doc.Descendants("h2").Select(h => h.Value).ToList();
        Assert.Equal(Any("search_progress.png"), h2.Contains("Search progress"));
        Assert.Equal(Any("pareto.png"), h2.Contains("Pareto front"));
        Assert.Equal(Any("curves.png"), h2.Contains("Training curves"));
        Assert.Equal(Any("model.onnx"), h2.Contains("Model card"));
        if (!Any("model.onnx")) return;

        var card = SectionText(doc, "Model card");
        Assert.Contains("parameters", card);
        Assert.Contains("MACs (batch 1)", card);
        Assert.Contains("test accuracy", card);
        Assert.Contains(doc.Descendants("h3"), h => h.Value == "Architecture");
        // Measured latency with the device fingerprint when a benchmark stage ran, the ONNX Runtime per-class accuracy when an evaluate stage did.
        bool benchmarked = Any("latency.json");
        Assert.Equal(benchmarked, card.Contains("p50 ", StringComparison.Ordinal) && card.Contains("fingerprint", StringComparison.Ordinal));
        bool perClass = stageDirs.Any(d => File.Exists(Path.Combine(d, "per_class.csv")));
        if (perClass && card.Contains("ONNX Runtime on model.onnx (stage", StringComparison.Ordinal)) Assert.Contains(doc.Descendants("h3"), h => h.Value == "Per-class test accuracy");
    }

    /// <summary>The text of everything between an h2 and the next h2.</summary>
    public static string SectionText(XDocument doc, string heading)
    {
        var h = doc.Descendants("h2").First(e => e.Value == heading);
        return string.Concat(h.ElementsAfterSelf().TakeWhile(e => e.Name != "h2").Select(e => e.Value + "\n"));
    }
}

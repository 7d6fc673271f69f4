using NasOnnx.Reporting.Report;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Writes report.html (self-contained, figures embedded) and report.md (figures in figures/) about the whole run:
/// stages and hashes, curves and plots, tables, and the model card. Put it last; it re-runs whenever an earlier
/// stage does.
/// </summary>
public sealed class ReportStage : IStage
{
    public string Kind => "report";
    public string Description => "Write the run report (HTML with embedded figures, and a Markdown twin) with the model card.";
    public int Version => 2;
    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Str("title", null, "report title (default: the pipeline name)"),
        ParamSpec.Str("model", null, "the export stage whose model the card describes (default: the last stage that wrote model.onnx)"),
    ];
    public IReadOnlyList<InputSpec> Inputs { get; } = [];

    public void Run(StageContext context)
    {
        var blocks = RunReport.Build(context.RunDir, context.PipelineName, context.PipelineFile, context.StageName,
            out var card, context.EarlierResults, context.RunSets, context.String("model"));
        string title = context.String("title") ?? $"NasOnnx run report: {context.PipelineName}";
        AtomicWrite.Text(context.OutputPath("report.html"), HtmlReportWriter.Render(title, blocks));
        string figures = context.OutputPath("figures");
        Directory.CreateDirectory(figures);
        var names = new Dictionary<Figure, string>();
        string md = MarkdownReportWriter.Render(blocks, f =>
        {
            if (!names.TryGetValue(f, out var name))
            {
                name = $"figures/{names.Count + 1:00}-{Path.GetFileName(Path.GetDirectoryName(f.Path))}-{Path.GetFileName(f.Path)}";
                File.Copy(f.Path, context.OutputPath(name));
                names[f] = name;
            }
            return name;
        });
        AtomicWrite.Text(context.OutputPath("report.md"), md);
        // model_card.json + .md beside the report: what `nasonnx publish` would put into models/ (the card the report shows).
        card?.Save(context.OutputDir);
        context.Log.Info($"report: {Path.Combine(context.RunDir, context.StageName, "report.html")} ({names.Count} figures)");
    }
}

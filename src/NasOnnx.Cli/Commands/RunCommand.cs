using System.ComponentModel;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;
using NasOnnx.Core;
using NasOnnx.Artifacts;

namespace NasOnnx.Cli.Commands;

public sealed class RunCommand(IAnsiConsole console) : Command<RunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("Pipeline YAML file, e.g. pipeline/quickstart.yaml")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--runs-dir <DIR>")]
        [Description("Folder for run outputs (default: runs/ next to pipeline/)")]
        public string? RunsDir { get; init; }

        [CommandOption("--force <STAGE>")]
        [Description("Re-run this stage (and the stages that use its outputs, and report-like stages) even if it is up to date; repeatable")]
        public string[] Force { get; init; } = [];

        [CommandOption("--from <STAGE>")]
        [Description("Take earlier stages as they are; re-run this stage and all later ones")]
        public string? From { get; init; }

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Override a param: stage.param=value, or param=value for every stage that has it; repeatable")]
        public string[] Set { get; init; } = [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var registry = StageCatalog.CreateRegistry();
        var pipeline = new PipelineParser(registry).ParseFile(settings.Pipeline);
        var log = new ConsoleRunLog(console);
        console.MarkupLine($"Pipeline [bold]{Markup.Escape(pipeline.Name)}[/] ({pipeline.Stages.Count} stages) from {Markup.Escape(settings.Pipeline)}");
        var result = new PipelineRunner(registry, log).Run(pipeline, new RunOptions
        {
            RunsDir = settings.RunsDir,
            Force = settings.Force,
            From = settings.From,
            Sets = settings.Set,
            Cancellation = cancellationToken,
        });
        int ran = result.Stages.Count(s => s.Outcome == StageOutcome.Ran);
        console.MarkupLine($"Done: {ran} ran, {result.Stages.Count - ran} skipped. Outputs in {Markup.Escape(result.RunDir)}, lock {Markup.Escape(result.LockPath)}");
        foreach (var (label, path) in Deliverables(result))
            console.MarkupLine($"  {label,-11} {Markup.Escape(path)}");
        return 0;
    }

    /// <summary>What a user came for, the last of each kind in pipeline order: the ONNX model, its model card, the report.</summary>
    private static IEnumerable<(string Label, string Path)> Deliverables(RunResult result)
    {
        foreach (var (label, file) in new[] { ("ONNX model", "model.onnx"), ("model card", "model_card.md"), ("report", "report.html") })
        {
            var found = result.Stages.Select(s => Path.Combine(s.OutputDir, file)).LastOrDefault(File.Exists);
            if (found is not null) yield return (label + ":", Path.GetRelativePath(Directory.GetCurrentDirectory(), found));
        }
    }
}

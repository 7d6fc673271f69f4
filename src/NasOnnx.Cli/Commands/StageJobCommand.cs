using System.ComponentModel;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx stage-job SPEC.json</c>: runs one pipeline stage's work inside a Slurm job (a stage with a `resources:`
/// block); the pipeline runner that submitted it keeps the lock and publishes the outputs. Not meant to be typed by people.
/// </summary>
public sealed class StageJobCommand(IAnsiConsole console) : Command<StageJobCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SPEC>")]
        [Description("The stage job's spec, written by `nasonnx run` for a stage with a resources: block")]
        public string Spec { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        StageJob.RunInJob(Path.GetFullPath(settings.Spec), StageCatalog.CreateRegistry(), new ConsoleRunLog(console, interactive: false), cancellationToken);
        return 0;
    }
}

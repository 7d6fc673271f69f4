using System.ComponentModel;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx trial SPEC.json</c>: a multi-trial search's worker (processes and slurm executors start it): trains and
/// scores one architecture and writes result.json beside the spec. Not meant to be typed by people.
/// </summary>
public sealed class TrialCommand(IAnsiConsole console) : Command<TrialCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SPEC>")]
        [Description("The trial's spec.json, written by a search stage with executor: processes or slurm")]
        public string Spec { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TrialWorker.Run(Path.GetFullPath(settings.Spec), StageCatalog.CreateRegistry(), new ConsoleRunLog(console, interactive: false), cancellationToken);
        return 0;
    }
}

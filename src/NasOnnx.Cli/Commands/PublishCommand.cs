using System.ComponentModel;
using System.Globalization;
using NasOnnx.Reporting.Cards;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary><c>nasonnx publish runs/&lt;pipeline&gt; --name NAME</c>: a run's exported model into models/NAME/ with its model card.</summary>
public sealed class PublishCommand(IAnsiConsole console) : Command<PublishCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("The run folder, e.g. runs/retrain-reference")]
        public string Run { get; init; } = "";

        [CommandOption("--name <NAME>")]
        [Description("Folder name under models/ (lower case, digits, . _ -)")]
        public string Name { get; init; } = "";

        [CommandOption("--stage <STAGE>")]
        [Description("The export stage (default: the last stage that wrote model.onnx)")]
        public string? Stage { get; init; }

        [CommandOption("--evaluation <STAGE>")]
        [Description("The evaluate stage that ran model.onnx with ONNX Runtime on the test split (default: found through the lock)")]
        public string? Evaluation { get; init; }

        [CommandOption("--benchmark <STAGE>")]
        [Description("The benchmark stage that measured model.onnx (default: found through the lock)")]
        public string? Benchmark { get; init; }

        [CommandOption("--measure-latency")]
        [Description("The run has no benchmark stage: measure the latency now (1 thread, batch 1, 300 runs)")]
        public bool MeasureLatency { get; init; }

        [CommandOption("--pipeline <FILE>")]
        [Description("The pipeline file as the card names it, relative to the project root (default: recorded in the lock)")]
        public string? Pipeline { get; init; }

        [CommandOption("--description <TEXT>")]
        [Description("A paragraph for the card: what the model is and how it was made")]
        public string? DescriptionText { get; init; }

        [CommandOption("--models-dir <DIR>")]
        [Description("The models folder (default: models)")]
        public string ModelsDir { get; init; } = "models";

        [CommandOption("--force")]
        [Description("Replace an existing models/NAME/")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Name) ? ValidationResult.Error("--name is required, e.g. --name darts-v2-fashion") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var run = RunFolder.Open(settings.Run);
        var (folder, card) = ModelPublisher.Publish(run, new PublishOptions
        {
            Name = settings.Name,
            ModelsDir = settings.ModelsDir,
            Pipeline = settings.Pipeline,
            ExportStage = settings.Stage,
            EvaluationStage = settings.Evaluation,
            BenchmarkStage = settings.Benchmark,
            Description = settings.DescriptionText,
            MeasureLatency = settings.MeasureLatency,
            Force = settings.Force,
        });
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine($"Published [bold]{Markup.Escape(card.Name)}[/] to {Markup.Escape(folder)}");
        console.MarkupLine(Markup.Escape($"  {card.Space} {card.ArchId}: {card.Params.ToString("N0", inv)} params, {card.Macs.ToString("N0", inv)} MACs, " +
            $"test accuracy {(card.TestAccuracyOnnx is double a ? ModelCard.Percent(a) : "unknown")} (ONNX Runtime, {card.TestImages} images), p50 {card.LatencyP50Ms?.ToString("0.000", inv)} ms"));
        console.MarkupLine(Markup.Escape($"  reproduce: {card.ReproduceCommand}   (lock SHA-256 {card.LockSha256?[..16]})"));
        return 0;
    }
}

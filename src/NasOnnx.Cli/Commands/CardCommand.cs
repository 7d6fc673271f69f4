using System.ComponentModel;
using NasOnnx.Pipeline;
using NasOnnx.Reporting.Cards;
using Spectre.Console;
using Spectre.Console.Cli;
using NasOnnx.Core;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx card models/NAME</c>: regenerates model_card.md from model_card.json (the JSON is the source of truth);
/// <c>--check</c> only checks that the Markdown is current and that model.onnx is the file the card describes.
/// </summary>
public sealed class CardCommand(IAnsiConsole console) : Command<CardCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL_DIR>")]
        [Description("A published model's folder, e.g. models/darts-v2-fashion")]
        public string Folder { get; init; } = "";

        [CommandOption("--check")]
        [Description("Write nothing; exit 1 when model_card.md is stale or model.onnx does not match the card's onnx_sha256")]
        public bool Check { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string jsonPath = Path.Combine(settings.Folder, ModelCard.JsonFile);
        var card = ModelCard.Load(jsonPath);
        string onnx = Path.Combine(settings.Folder, Pipeline.Stages.ExportStage.ModelFile);
        if (!File.Exists(onnx) || ContentHash.OfFile(onnx) != card.OnnxSha256)
            throw new NasOnnxException($"model.onnx is missing or is not the file the card describes (onnx_sha256 {card.OnnxSha256[..16]}...)",
                "publish the model again with `nasonnx publish`") { FilePath = onnx };
        string mdPath = Path.Combine(settings.Folder, ModelCard.MarkdownFile);
        string md = ModelCardMarkdown.Render(card);
        bool current = File.Exists(mdPath) && File.ReadAllText(mdPath) == md;
        if (settings.Check)
        {
            if (!current)
                throw new NasOnnxException($"{ModelCard.MarkdownFile} is not what {ModelCard.JsonFile} generates", $"run `nasonnx card {settings.Folder}`") { FilePath = mdPath };
            console.MarkupLine($"{Markup.Escape(card.Name)}: card current, model.onnx matches");
            return 0;
        }
        if (!current) AtomicWrite.Text(mdPath, md);
        console.MarkupLine($"{Markup.Escape(mdPath)} {(current ? "was already current" : "written")}");
        return 0;
    }
}

using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Data;
using NasOnnx.Onnx;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx predict MODEL.onnx IMAGE...|FOLDER [--top K] [--json]</c>: the top classes of each image. The model's
/// metadata says how to feed it (uint8 pixels for a model with preprocessing inside, normalized floats for a plain one),
/// so the same images give the same answer from both kinds.
/// </summary>
public sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("An ONNX model written by `nasonnx export` or the export stage.")]
        public string Model { get; init; } = "";

        [CommandArgument(1, "<IMAGES>")]
        [Description("Image files (PNG, JPEG, BMP, WebP, GIF) or folders (every image file in them, sorted by name).")]
        public string[] Images { get; init; } = [];

        [CommandOption("--top <K>")]
        [Description("How many classes to show per image. Default 3.")]
        [DefaultValue(3)]
        public int Top { get; init; } = 3;

        [CommandOption("--classes <LIST>")]
        [Description("Class names in label order, comma separated; for a model without nasonnx.classes (a plain export), which otherwise shows class indices.")]
        public string? Classes { get; init; }

        [CommandOption("--json")]
        [Description("Print the predictions as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Images.Length == 0) return ValidationResult.Error("Give at least one image file or folder.");
            if (Top < 1) return ValidationResult.Error("--top is at least 1.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var model = OnnxClassifier.Open(settings.Model, settings.Classes?.Split(',', StringSplitOptions.TrimEntries));
        if (model.Height != model.Width)
            throw new NasOnnxException($"The model's input is {model.Height}x{model.Width}; predict decodes square images only.",
                "Run the model from your own code, resizing to its resolution.") { FilePath = settings.Model };
        var files = ImageFiles(settings.Images);
        // Decode everything first: a bad file fails before any output, with one message naming it.
        var pixels = files.Select(file => Decode(file, model.Height, model.Channels)).ToArray();
        var probabilities = model.Classify(pixels);
        int top = Math.Min(settings.Top, model.ClassNames.Count);
        var ranked = probabilities.Select(p => Enumerable.Range(0, p.Length).OrderByDescending(c => p[c]).ThenBy(c => c).Take(top).ToArray()).ToArray();

        if (settings.Json)
        {
            var images = new JsonArray();
            for (int i = 0; i < files.Count; i++)
                images.Add(new JsonObject
                {
                    ["path"] = files[i],
                    ["top"] = new JsonArray(ranked[i].Select(c => (JsonNode)new JsonObject
                    {
                        ["class"] = model.ClassNames[c],
                        ["index"] = c,
                        ["probability"] = probabilities[i][c],
                    }).ToArray()),
                });
            var o = new JsonObject
            {
                ["model"] = Path.GetFullPath(settings.Model),
                ["input"] = InputDescription(model),
                ["class_names"] = model.ClassNamesSource,
                ["images"] = images,
            };
            console.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        console.MarkupLine($"[grey]{Markup.Escape(settings.Model)}: {Markup.Escape(InputDescription(model))}; class names from {model.ClassNamesSource}[/]");
        var table = new Table().AddColumn("image").AddColumn(new TableColumn("rank").RightAligned()).AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        for (int i = 0; i < files.Count; i++)
            for (int r = 0; r < ranked[i].Length; r++)
            {
                int c = ranked[i][r];
                table.AddRow(r == 0 ? Markup.Escape(files[i]) : "", (r + 1).ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(model.ClassNames[c]), probabilities[i][c].ToString("0.0000", CultureInfo.InvariantCulture));
            }
        console.Write(table);
        return 0;
    }

    private static string InputDescription(OnnxClassifier model) =>
        (model.Preprocess == PreprocessLayout.None ? "plain float input, normalized here" : $"uint8 {model.Preprocess.ToString().ToLowerInvariant()} input, preprocessing inside")
        + $", {model.Channels}x{model.Height}x{model.Width}" + (model.AnySize ? " (any size; fed at its resolution)" : "");

    /// <summary>Files as given; folders expand to their image files, sorted by name (ordinal, the same on every machine).</summary>
    private static List<string> ImageFiles(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (string argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                var found = Directory.EnumerateFiles(argument).Where(ImageDecoder.IsImageFile).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    throw new NasOnnxException($"The folder has no image files ({string.Join(", ", ImageDecoder.Extensions)}).", "Give image files or a folder of them.") { FilePath = argument };
                files.AddRange(found);
            }
            else if (File.Exists(argument)) files.Add(argument);
            else throw new NasOnnxException("The image file or folder was not found.", "Check the path.") { FilePath = argument };
        }
        return files;
    }

    private static byte[] Decode(string file, int resolution, int channels)
    {
        try
        {
            return ImageDecoder.LoadChw(file, resolution, channels);
        }
        catch (ImageDecodeException e)
        {
            throw new NasOnnxException($"{Path.GetFileName(file)} {e.Message}.", "Pass image files (PNG, JPEG, BMP, WebP, GIF).") { FilePath = file };
        }
    }
}

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
/// so the same images give the same answer from both kinds. A text model (input "tokens"):
/// <c>nasonnx predict MODEL.onnx --text "..." [--text-file LINES.txt] [--vocab vocab.json]</c>, tokenized with the
/// model's own vocabulary.
/// </summary>
public sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("An ONNX model written by `nasonnx export` or the export stage.")]
        public string Model { get; init; } = "";

        [CommandArgument(1, "[IMAGES]")]
        [Description("Image files (PNG, JPEG, BMP, WebP, GIF) or folders (every image file in them, sorted by name).")]
        public string[] Images { get; init; } = [];

        [CommandOption("--text <TEXT>")]
        [Description("A text for a text model (repeat for several).")]
        public string[] Texts { get; init; } = [];

        [CommandOption("--text-file <FILE>")]
        [Description("A UTF-8 file with one text per line (empty lines skipped), for a text model.")]
        public string? TextFile { get; init; }

        [CommandOption("--vocab <FILE>")]
        [Description("A text model's vocabulary (default: vocab.json beside the model); its SHA-256 must be the one in the model.")]
        public string? Vocabulary { get; init; }

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
            if (Images.Length == 0 && Texts.Length == 0 && TextFile is null)
                return ValidationResult.Error("Give at least one image file or folder, or for a text model --text or --text-file.");
            if (Images.Length > 0 && (Texts.Length > 0 || TextFile is not null))
                return ValidationResult.Error("Give images or texts, not both.");
            if (Top < 1) return ValidationResult.Error("--top is at least 1.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Texts.Length > 0 || settings.TextFile is not null) return PredictTexts(settings);
        if (TextClassifier.TakesText(settings.Model))
            throw new NasOnnxException("This model takes text (token ids), not images.", "Pass --text \"...\" or --text-file FILE.") { FilePath = settings.Model };
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
            console.Profile.Out.Writer.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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

    private int PredictTexts(Settings settings)
    {
        if (!TextClassifier.TakesText(settings.Model))
            throw new NasOnnxException(File.Exists(settings.Model) ? "This model takes images, not text." : "The model file was not found.",
                File.Exists(settings.Model) ? "Pass image files or folders." : "Check the path to the .onnx file.") { FilePath = settings.Model };
        var texts = settings.Texts.Select(t => (Source: "--text", Text: t)).ToList();
        if (settings.TextFile is { } file)
        {
            if (!File.Exists(file)) throw new NasOnnxException("The text file was not found.", "Check the path.") { FilePath = file };
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
            }
            catch (System.Text.DecoderFallbackException)
            {
                throw new NasOnnxException("The text file is not valid UTF-8.", "Save it as UTF-8, one text per line.") { FilePath = file };
            }
            texts.AddRange(lines.Select((l, i) => (Source: $"{Path.GetFileName(file)}:{i + 1}", Text: l)).Where(t => t.Text.Trim().Length > 0));
        }
        if (texts.Count == 0) throw new NasOnnxException("There is no text to classify.", "Give --text \"...\" or a file with one text per line.") { FilePath = settings.TextFile };
        using var model = TextClassifier.Open(settings.Model, settings.Vocabulary);
        var probabilities = model.Classify(texts.Select(t => t.Text).ToArray());
        int top = Math.Min(settings.Top, model.ClassNames.Count);
        var ranked = probabilities.Select(p => Enumerable.Range(0, p.Length).OrderByDescending(c => p[c]).ThenBy(c => c).Take(top).ToArray()).ToArray();
        if (settings.Json)
        {
            var items = new JsonArray();
            for (int i = 0; i < texts.Count; i++)
                items.Add(new JsonObject
                {
                    ["source"] = texts[i].Source,
                    ["text"] = texts[i].Text,
                    ["label"] = model.ClassNames[ranked[i][0]],
                    ["probability"] = probabilities[i][ranked[i][0]],
                    ["top"] = new JsonArray(ranked[i].Select(c => (JsonNode)new JsonObject { ["class"] = model.ClassNames[c], ["index"] = c, ["probability"] = probabilities[i][c] }).ToArray()),
                });
            var o = new JsonObject
            {
                ["model"] = Path.GetFullPath(settings.Model),
                ["vocabulary"] = Path.GetFullPath(model.VocabularyPath),
                ["class_names"] = model.ClassNamesSource,
                ["texts"] = items,
            };
            console.Profile.Out.Writer.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        console.MarkupLine($"[grey]{Markup.Escape(settings.Model)}: token ids, vocabulary {Markup.Escape(model.VocabularyPath)} ({model.Vocabulary.Count} ids, first {model.Vocabulary.MaxLength} tokens read); class names from {model.ClassNamesSource}[/]");
        var table = new Table().AddColumn("text").AddColumn("label").AddColumn(new TableColumn("probability").RightAligned());
        for (int i = 0; i < texts.Count; i++)
        {
            string shown = texts[i].Text.Length > 60 ? texts[i].Text[..57] + "..." : texts[i].Text;
            int best = ranked[i][0];
            table.AddRow(Markup.Escape(shown), Markup.Escape(model.ClassNames[best]), probabilities[i][best].ToString("0.0000", CultureInfo.InvariantCulture));
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

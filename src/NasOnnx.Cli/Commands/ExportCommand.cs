using System.ComponentModel;
using System.Globalization;
using NasOnnx.Onnx;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary><c>nasonnx export --arch ARCH.json (--weights W | --random-weights) --out MODEL.onnx</c>.</summary>
public sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-a|--arch <PATH>")]
        [Description("Architecture JSON (from `nasonnx sample`, derive or retrain; beside weights as *.arch.json).")]
        public string Arch { get; init; } = "";

        [CommandOption("-w|--weights <PATH>")]
        [Description("Trained weights (TorchSharp state-dict file) matching the architecture.")]
        public string? Weights { get; init; }

        [CommandOption("--random-weights")]
        [Description("Export with seeded random weights and randomized BatchNorm statistics (latency trials before training).")]
        public bool RandomWeights { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed for --random-weights. Default 0.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("-o|--out <PATH>")]
        [Description("Where to write the ONNX model.")]
        public string Out { get; init; } = "";

        [CommandOption("--no-fold")]
        [Description("Keep BatchNormalization nodes instead of folding them into the convolutions.")]
        public bool NoFold { get; init; }

        [CommandOption("--no-verify")]
        [Description("Skip the check that ONNX Runtime reproduces the TorchSharp outputs.")]
        public bool NoVerify { get; init; }

        [CommandOption("--dataset <NAME>")]
        [Description("Dataset name for the metadata.")]
        public string? Dataset { get; init; }

        [CommandOption("--mean <LIST>")]
        [Description("Input normalization mean per channel, comma separated (metadata).")]
        public string? Mean { get; init; }

        [CommandOption("--std <LIST>")]
        [Description("Input normalization std per channel, comma separated (metadata).")]
        public string? Std { get; init; }

        [CommandOption("--accuracy <ACC>")]
        [Description("Test accuracy, 0..1 (metadata).")]
        public double? Accuracy { get; init; }

        [CommandOption("--latency-ms <MS>")]
        [Description("Measured latency in milliseconds (metadata).")]
        public double? LatencyMs { get; init; }

        [CommandOption("--preprocess <LAYOUT>")]
        [Description("nchw or nhwc: the model takes uint8 images [[N, C, H, W]] or [[N, H, W, C]] and normalizes them inside (needs --mean/--std). Default: none (normalized float input).")]
        public string? Preprocess { get; init; }

        [CommandOption("--any-size")]
        [Description("With --preprocess: any image height and width, resized inside the model (shorter side to the resolution, centre crop).")]
        public bool AnySize { get; init; }

        [CommandOption("--classes <LIST>")]
        [Description("Class names in label order, comma separated (metadata nasonnx.classes, read by `nasonnx predict`).")]
        public string? Classes { get; init; }

        [CommandOption("--threads <N>")]
        [Description("TorchSharp threads (0: NASONNX_THREADS or all cores).")]
        [DefaultValue(0)]
        public int Threads { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Arch)) return ValidationResult.Error("--arch is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if ((Weights is null) == !RandomWeights) return ValidationResult.Error("Give exactly one of --weights PATH or --random-weights.");
            if (Accuracy is < 0 or > 1) return ValidationResult.Error("--accuracy is a fraction between 0 and 1.");
            if (Preprocess is not null && !Enum.TryParse<PreprocessLayout>(Preprocess, ignoreCase: true, out _)) return ValidationResult.Error("--preprocess is none, nchw or nhwc.");
            if (AnySize && Layout == PreprocessLayout.None) return ValidationResult.Error("--any-size needs --preprocess nchw or nhwc.");
            if (Layout != PreprocessLayout.None && (Mean is null || Std is null)) return ValidationResult.Error("--preprocess needs the model's normalization: --mean and --std.");
            if (TryFloats(Mean, out _) is false || TryFloats(Std, out _) is false) return ValidationResult.Error("--mean and --std are comma-separated numbers, e.g. 0.286 or 0.49,0.48,0.45.");
            return ValidationResult.Success();
        }

        internal PreprocessLayout Layout => Enum.TryParse<PreprocessLayout>(Preprocess, ignoreCase: true, out var layout) ? layout : PreprocessLayout.None;

        internal static bool? TryFloats(string? text, out float[]? values)
        {
            values = null;
            if (text is null) return null;
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var result = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i])) return false;
            values = result;
            return parts.Length > 0;
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchRuntime.Initialize(settings.Threads);
        var arch = SpaceRegistry.Load(settings.Arch);
        Settings.TryFloats(settings.Mean, out var mean);
        Settings.TryFloats(settings.Std, out var std);
        var options = new ExportOptions
        {
            FoldBatchNorm = !settings.NoFold,
            Verify = !settings.NoVerify,
            Dataset = settings.Dataset,
            NormalizationMean = mean,
            NormalizationStd = std,
            Accuracy = settings.Accuracy,
            LatencyMs = settings.LatencyMs,
            Preprocess = settings.Layout,
            AnySize = settings.AnySize,
            ClassNames = settings.Classes?.Split(',', StringSplitOptions.TrimEntries),
        };
        var result = settings.RandomWeights
            ? ArchitectureExporter.ExportRandom(arch, settings.Seed, settings.Out, options)
            : ArchitectureExporter.Export(arch, settings.Weights!, settings.Out, options);

        var table = new Table().HideHeaders().AddColumn("").AddColumn("");
        table.AddRow("model", Markup.Escape(result.Path));
        table.AddRow("architecture", $"{Markup.Escape(result.Space)} {result.ArchId}");
        table.AddRow("weights", settings.RandomWeights ? $"random (seed {settings.Seed})" : Markup.Escape(settings.Weights!));
        table.AddRow("parameters", result.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("MACs", result.Macs.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("nodes", result.Nodes.ToString(CultureInfo.InvariantCulture));
        table.AddRow("file size", $"{result.FileBytes / 1024.0:F1} KiB");
        table.AddRow("BatchNorm", settings.NoFold ? "kept" : "folded");
        table.AddRow("input", Markup.Escape(settings.Layout == PreprocessLayout.None ? "float, normalized [N, C, H, W]"
            : $"uint8 images {(settings.Layout == PreprocessLayout.Nhwc ? "[N, H, W, C]" : "[N, C, H, W]")}{(settings.AnySize ? ", any size (resized inside)" : "")}, normalized inside"));
        table.AddRow("export time", $"{result.Elapsed.TotalSeconds:F2} s");
        if (result.Verification is { } v)
            table.AddRow("ONNX Runtime check", $"max abs diff {v.MaxAbsDiff:G3}, rel {v.MaxRelDiff:G3} (batch {string.Join(", ", v.BatchSizes)})");
        console.MarkupLine("[green]Exported[/]");
        console.Write(table);
        return 0;
    }
}

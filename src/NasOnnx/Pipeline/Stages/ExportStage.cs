using System.Text.Json;
using NasOnnx.Artifacts;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Reporting;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Data;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Writes the trained architecture as plain ONNX (opset 17) with the dataset's normalization and, when an
/// evaluate stage is given, the measured accuracy in its metadata; checks it against TorchSharp with ONNX Runtime.
/// </summary>
public sealed class ExportStage : IStage
{
    public const string ModelFile = "model.onnx";

    public string Kind => "export";
    public string Description => "Export the trained architecture to ONNX and verify it with ONNX Runtime.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Bool("fold_bn", true, "fold BatchNorm into the preceding convolution"),
        ParamSpec.Bool("verify", true, "compare ONNX Runtime with TorchSharp (batch 1 and 3) before writing"),
        ParamSpec.Float("tolerance", 1e-4, "largest allowed absolute difference in logits"),
        ParamSpec.Choice("preprocess", "none", "none: the input is normalized float [N, C, H, W]; nchw or nhwc: the input becomes uint8 images " +
            "[N, C, H, W] or [N, H, W, C] at the trained resolution, cast and normalized inside the model, and the metadata gains " +
            "the class names, resolution, channels and layout (needs the `data` input)", "none", "nchw", "nhwc"),
        ParamSpec.Bool("any_size", false, "with preprocess: any image height and width, resized inside the model (shorter side to the resolution, centre crop)"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } =
    [
        new("model", "a retrain stage (model.pt + model.arch.json)"),
        new("data", "the prepare-data stage (dataset name and normalization go into the metadata)", Required: false),
        new("evaluation", "an evaluate stage whose accuracy goes into the metadata", Required: false),
        new("latency", "a measured latency for the metadata (latency_ms, p90, device): a benchmark stage of this architecture, or a search stage with a latency target (its measured winner)", Required: false),
    ];

    public void Run(StageContext context)
    {
        string weights = Path.Combine(context.Input("model"), TrainedModel.WeightsFile);
        string archFile = NetworkWeights.ArchitecturePathFor(weights);
        if (!File.Exists(archFile))
            throw context.Error($"{Path.GetFileName(archFile)} is missing beside {weights}",
                "export needs a model trained from an architecture (a retrain stage); the fixed CNN of `train` has none", archFile);
        var arch = SpaceRegistry.Load(archFile);
        PreparedDataset? data = context.HasInput("data") ? PreparedDataset.Load(context.Input("data")) : null;
        double? accuracy = context.HasInput("evaluation") ? ReadAccuracy(context, context.Input("evaluation")) : null;
        var latency = context.HasInput("latency") ? MeasuredLatencyInput.Read(context, context.Input("latency"), arch.ArchId) : null;
        var preprocess = Enum.Parse<PreprocessLayout>(context.RequiredString("preprocess"), ignoreCase: true);
        if (preprocess != PreprocessLayout.None && data is null)
            throw context.Error("preprocess needs the `data` input", "give the export stage a `data` input (the prepare-data stage): its normalization and class names go into the model");
        if (preprocess == PreprocessLayout.None && context.Bool("any_size"))
            throw context.Error("any_size needs preprocess: nchw or nhwc", "set preprocess, or drop any_size");
        var metadata = new Dictionary<string, string>();
        bool text = SpaceRegistry.Get(arch.Space).DefaultOptions.IsText;
        if (text && data is not { IsText: true })
            throw context.Error("a text model needs the `data` input: its vocabulary travels with the model",
                "give the export stage `data: <the prepare-data stage>`", context.PipelineFile);
        if (text)
        {
            File.Copy(data!.VocabularyPath, context.OutputPath(ExportFiles.Vocabulary));
            metadata[OnnxExporter.Keys.VocabularyHash] = TextVocabulary.FileSha256(context.OutputPath(ExportFiles.Vocabulary));
        }
        if (latency is not null)
        {
            metadata["nasonnx.latency_p90_ms"] = latency.P90Ms.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            metadata["nasonnx.latency_device"] = latency.Device;
            metadata["nasonnx.latency_source"] = latency.Source;
        }
        var result = ArchitectureExporter.Export(arch, weights, context.OutputPath(ModelFile), new ExportOptions
        {
            FoldBatchNorm = context.Bool("fold_bn"),
            Verify = context.Bool("verify"),
            Tolerance = context.Float("tolerance"),
            Dataset = data?.Name,
            NormalizationMean = data?.Mean,
            NormalizationStd = data?.Std,
            Accuracy = accuracy,
            LatencyMs = latency?.P50Ms,
            Metadata = metadata,
            Preprocess = preprocess,
            AnySize = context.Bool("any_size"),
            // Class names only with preprocessing: a default export's model.onnx keeps its bytes (the behaviour goldens pin them).
            ClassNames = preprocess == PreprocessLayout.None && !text ? null : data?.ClassNames,
        });
        File.Copy(archFile, context.OutputPath(ArchitectureSource.FileName));
        AtomicWrite.Text(context.OutputPath("export.json"), JsonSerializer.Serialize(new
        {
            result.Space,
            result.ArchId,
            result.FileBytes,
            result.Parameters,
            result.Macs,
            result.Nodes,
            ExportSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
            MaxAbsDiff = result.Verification?.MaxAbsDiff,
            MaxRelDiff = result.Verification?.MaxRelDiff,
            Accuracy = accuracy,
            LatencyMs = latency?.P50Ms,
            LatencyP90Ms = latency?.P90Ms,
            LatencyDevice = latency?.Device,
        }, SnakeJson.Options));
        context.Log.Info($"{ModelFile}: {result.Parameters:N0} parameters, {result.Macs:N0} MACs, {result.FileBytes / 1024.0:0.0} KiB" +
            (result.Verification is { } v ? $", ONNX Runtime vs TorchSharp max |diff| {v.MaxAbsDiff:0.0e+0}" : ""));
    }

    private static double ReadAccuracy(StageContext context, string dir)
    {
        string path = Path.Combine(dir, MetricsFile.FileName);
        if (!File.Exists(path)) throw context.Error($"{MetricsFile.FileName} is missing", "the `evaluation` input must name an evaluate stage", path);
        return MetricsFile.Read(dir).Accuracy;
    }
}

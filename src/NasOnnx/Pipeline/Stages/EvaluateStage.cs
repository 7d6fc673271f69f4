using NasOnnx.Onnx;
using NasOnnx.Training;
using NasOnnx.Core;
using NasOnnx.Data;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Measures a trained model on the test (or validation) images: accuracy, per-class accuracy, confusion matrix.</summary>
public sealed class EvaluateStage : IStage
{
    public string Kind => "evaluate";
    public string Description => "Accuracy, per-class accuracy and confusion matrix of a trained model, as CSV.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("split", "test", "which images to evaluate on", "test", "validation"),
        ParamSpec.Int("batch_size", 256, "images per forward pass"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } =
    [
        new("data", "a prepare-data stage"),
        new("model", "a train or retrain stage (TorchSharp), or an export stage (the ONNX file, run with ONNX Runtime)"),
    ];

    public void Run(StageContext context)
    {
        var data = PreparedDataset.Load(context.Input("data")).LoadData();
        string modelDir = context.Input("model");
        bool test = context.RequiredString("split") == "test";
        var (images, indices) = test ? (data.Test, Evaluator.All(data.Test)) : (data.TrainImages, data.ValidationIndices);
        int batchSize = (int)context.Int("batch_size");
        string onnx = Path.Combine(modelDir, ExportStage.ModelFile);
        EvaluationResult result;
        if (File.Exists(onnx))
        {
            // An export stage: measure the deployable file itself, with ONNX Runtime.
            result = OnnxEvaluator.Evaluate(onnx, images, indices, data.Info.Normalization, batchSize, Runtime.TorchRuntime.Threads);
            context.Log.Info($"evaluated {ExportStage.ModelFile} with ONNX Runtime");
        }
        else
        {
            using var model = TrainedModel.Load(context, modelDir);
            result = Evaluator.Evaluate(model, images, indices, data.Info.Normalization, batchSize);
        }
        result.WriteCsv(context.OutputDir, data.Info.ClassNames);
        context.Log.Info($"{context.RequiredString("split")} accuracy {result.Accuracy:P2} on {result.Count} {(data.Info.IsText ? "texts" : "images")} (loss {result.Loss:0.0000})");
    }
}

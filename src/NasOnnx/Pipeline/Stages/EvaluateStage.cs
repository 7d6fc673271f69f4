using NasOnnx.Networks;
using NasOnnx.Training;

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
        new("model", "a stage that wrote model.pt and network.json (train)"),
    ];

    public void Run(StageContext context)
    {
        var data = PreparedDataset.Load(context.Input("data")).LoadData();
        string modelDir = context.Input("model");
        var spec = FixedCnnSpec.Load(modelDir);
        using var model = spec.Build();
        string weights = Path.Combine(modelDir, TrainStage.WeightsFile);
        try
        {
            model.load(weights);
        }
        catch (Exception e) when (e is not NasOnnxException)
        {
            throw context.Error($"the weights do not fit the network in {FixedCnnSpec.FileName}: {e.Message}",
                "re-run the train stage with --force", weights);
        }
        bool test = context.RequiredString("split") == "test";
        var (images, indices) = test ? (data.Test, Evaluator.All(data.Test)) : (data.TrainImages, data.ValidationIndices);
        var result = Evaluator.Evaluate(model, images, indices, data.Info.Normalization, (int)context.Int("batch_size"));
        result.WriteCsv(context.OutputDir, data.Info.ClassNames);
        context.Log.Info($"{context.RequiredString("split")} accuracy {result.Accuracy:P2} on {result.Count} images (loss {result.Loss:0.0000})");
    }
}

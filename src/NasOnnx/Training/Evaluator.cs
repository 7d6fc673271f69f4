using NasOnnx.Data;

namespace NasOnnx.Training;

/// <summary>Runs a network in eval mode over a set of images and collects loss, accuracy and the confusion matrix.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, Dataset data, int[] indices, Normalization normalization, int batchSize = 256)
    {
        var result = new EvaluationResult(data.Classes);
        model.eval();
        using var noGrad = torch.no_grad();
        using var loader = new BatchLoader(data, indices, new BatchLoaderOptions { BatchSize = batchSize, Shuffle = false, Normalization = normalization });
        foreach (var batch in loader.Epoch(0))
        {
            using var scope = torch.NewDisposeScope();
            var x = BatchInput.Of(batch);
            var y = torch.tensor(batch.Labels);
            var logits = model.forward(x);
            double lossSum = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            var predictions = logits.argmax(1).data<long>().ToArray();
            result.Add(batch.Labels, predictions, lossSum);
        }
        return result;
    }

    public static int[] All(Dataset data) => Enumerable.Range(0, data.Count).ToArray();
}

using NasOnnx.Data;

namespace NasOnnx.Training;

/// <summary>Runs a network in eval mode over a set of images and collects loss, accuracy and the confusion matrix.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, Dataset data, int[] indices, Normalization normalization, int batchSize = 256)
    {
        var result = new EvaluationResult(data.Classes);
        batchSize = BatchSizeFor(data, batchSize);
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

    /// <summary>Elements of one [batch, heads, length, length] attention tensor of a text network that an evaluation batch
    /// may reach (512 MB of floats), counted with the text space's default of 4 heads.</summary>
    public const long TextBatchElements = 128L * 1024 * 1024;
    private const long AttentionHeads = 4;

    /// <summary>
    /// Token sequences get smaller batches the longer they are: self-attention holds [batch, heads, length, length]
    /// tensors, so batch 256 at 800 tokens would need 2.6 GB for each (measured: 9 GB resident to validate two
    /// attention layers at 400 tokens). Images, and texts short enough, keep <paramref name="requested"/>.
    /// </summary>
    public static int BatchSizeFor(Dataset data, int requested)
    {
        if (!data.IsText) return requested;
        long length = data.SequenceLength, perSequence = AttentionHeads * length * length;
        return (int)Math.Clamp(TextBatchElements / perSequence, 8, requested);
    }

    public static int[] All(Dataset data) => Enumerable.Range(0, data.Count).ToArray();
}

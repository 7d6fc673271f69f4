using NasOnnx.Data;
using NasOnnx.Training;
using NasOnnx.Tests.Data;

namespace NasOnnx.Tests.Training;

/// <summary>Evaluation batches of token sequences shrink with the square of their length (self-attention's
/// [batch, heads, length, length] tensors); images keep the batch asked for.</summary>
public class EvaluatorBatchTests
{
    private static Dataset Tokens(int length) => Dataset.Text("t", length, new int[2 * length], [0, 1], ["a", "b"]);

    [Fact]
    public void Long_texts_get_smaller_evaluation_batches_and_images_keep_theirs()
    {
        Assert.Equal(256, Evaluator.BatchSizeFor(Tokens(128), 256));
        Assert.Equal(209, Evaluator.BatchSizeFor(Tokens(400), 256));  // 128 Mi elements / (4 x 400^2)
        Assert.Equal(52, Evaluator.BatchSizeFor(Tokens(800), 256));
        Assert.Equal(8, Evaluator.BatchSizeFor(Tokens(8000), 256));   // never below 8
        Assert.Equal(32, Evaluator.BatchSizeFor(Tokens(400), 32));    // never above what was asked
        Assert.Equal(256, Evaluator.BatchSizeFor(TestData.Small(4), 256));
    }
}

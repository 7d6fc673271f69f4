namespace NasOnnx.Data;

/// <summary>
/// One prepared batch: Count images, normalized (and augmented), in B*C*H*W order, or Count token sequences of a text
/// dataset (<see cref="Tokens"/>, B*L ids), with their labels as long (ready for a TorchSharp tensor) and their dataset
/// indices. The arrays are exactly Count samples long (the last batch of an epoch may be smaller) and belong to the consumer.
/// </summary>
public sealed class Batch
{
    /// <summary>The images (empty for a text batch).</summary>
    public float[] Images { get; init; } = [];
    /// <summary>The token ids, Shape.Width per sample (empty for an image batch).</summary>
    public long[] Tokens { get; init; } = [];
    public bool IsText => Tokens.Length > 0;
    public required long[] Labels { get; init; }
    public required int[] Indices { get; init; }
    public required ImageShape Shape { get; init; }
    public int Count => Labels.Length;
    public required int Epoch { get; init; }
    /// <summary>0-based position of this batch in its epoch.</summary>
    public required int Number { get; init; }
}

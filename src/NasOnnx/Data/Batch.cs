namespace NasOnnx.Data;

/// <summary>
/// One prepared batch: Count images, normalized (and augmented), in B*C*H*W order, with their labels
/// as long (ready for a TorchSharp tensor) and their dataset indices. The arrays are exactly Count
/// images long (the last batch of an epoch may be smaller) and belong to the consumer.
/// </summary>
public sealed class Batch
{
    public required float[] Images { get; init; }
    public required long[] Labels { get; init; }
    public required int[] Indices { get; init; }
    public required ImageShape Shape { get; init; }
    public int Count => Labels.Length;
    public required int Epoch { get; init; }
    /// <summary>0-based position of this batch in its epoch.</summary>
    public required int Number { get; init; }
}

namespace NasOnnx.Data;

/// <summary>Mirrors the image left-right with probability <see cref="Probability"/> (torchvision's RandomHorizontalFlip).</summary>
public sealed class HorizontalFlip(double probability = 0.5) : IAugmentation
{
    public double Probability { get; } = probability is >= 0 and <= 1 ? probability
        : throw new ArgumentOutOfRangeException(nameof(probability), "probability must be in [0, 1]");

    public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng)
    {
        if (!rng.NextBool(Probability)) return;
        int w = shape.Width, rows = shape.Channels * shape.Height;
        for (int r = 0; r < rows; r++) chw.Slice(r * w, w).Reverse();
    }

    public override string ToString() => $"flip(p {Probability})";
}

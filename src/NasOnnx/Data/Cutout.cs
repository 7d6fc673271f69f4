namespace NasOnnx.Data;

/// <summary>
/// Cutout (DeVries and Taylor 2017, as in DARTS' training): one square of side <see cref="Length"/>,
/// centred at a random pixel and clipped at the border, is set to 0 in every channel. It runs after
/// normalization, so the square takes the dataset mean.
/// </summary>
public sealed class Cutout : IAugmentation
{
    public int Length { get; }

    public Cutout(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), "length must be >= 0");
        Length = length;
    }

    public bool AfterNormalization => true;

    public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng)
    {
        if (Length == 0) return;
        int h = shape.Height, w = shape.Width, plane = h * w;
        int cy = rng.Next(h), cx = rng.Next(w);
        int y0 = Math.Clamp(cy - Length / 2, 0, h), y1 = Math.Clamp(cy + Length / 2 + Length % 2, 0, h);
        int x0 = Math.Clamp(cx - Length / 2, 0, w), x1 = Math.Clamp(cx + Length / 2 + Length % 2, 0, w);
        for (int c = 0; c < shape.Channels; c++)
            for (int y = y0; y < y1; y++)
                chw.Slice(c * plane + y * w + x0, x1 - x0).Clear();
    }

    public override string ToString() => $"cutout({Length})";
}

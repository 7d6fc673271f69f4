namespace NasOnnx.Data;

/// <summary>
/// Random erasing (Zhong et al. 2017, the augmentation that helped most on Fashion-MNIST there): with probability
/// <see cref="Probability"/> a rectangle covering 2-40% of the image, aspect ratio 0.3-3.3 (log-uniform), at a
/// random place fully inside the image, is filled with random values, the same rectangle in every channel. Runs after
/// normalization and fills with standard-normal noise, so the patch has the statistics of the normalized pixels
/// rather than a constant the network could learn to ignore (as cutout's zero square is). A rectangle that does not fit
/// is drawn again, at most 10 times; then the image is left as it is.
/// </summary>
public sealed class RandomErasing : IAugmentation
{
    private const double MinArea = 0.02, MaxArea = 0.4, MinAspect = 0.3, MaxAspect = 1 / 0.3;
    private const int Attempts = 10;

    public double Probability { get; }

    public RandomErasing(double probability)
    {
        if (probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(probability), "probability must be in [0, 1]");
        Probability = probability;
    }

    public bool AfterNormalization => true;

    public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng)
    {
        if (!rng.NextBool(Probability)) return;
        int h = shape.Height, w = shape.Width, plane = h * w;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double area = plane * (MinArea + (MaxArea - MinArea) * rng.NextDouble());
            double aspect = Math.Exp(Math.Log(MinAspect) + (Math.Log(MaxAspect) - Math.Log(MinAspect)) * rng.NextDouble());
            int eh = (int)Math.Round(Math.Sqrt(area * aspect)), ew = (int)Math.Round(Math.Sqrt(area / aspect));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
            int y0 = rng.Next(h - eh + 1), x0 = rng.Next(w - ew + 1);
            for (int c = 0; c < shape.Channels; c++)
                for (int y = y0; y < y0 + eh; y++)
                {
                    var row = chw.Slice(c * plane + y * w + x0, ew);
                    for (int x = 0; x < row.Length; x++) row[x] = (float)StandardNormal(rng);
                }
            return;
        }
    }

    /// <summary>Box-Muller from two uniforms of the image's own generator (deterministic per (seed, epoch, image)).</summary>
    private static double StandardNormal(SplitMix64 rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public override string ToString() => $"random-erasing(p={Probability.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}

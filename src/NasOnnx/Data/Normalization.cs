namespace NasOnnx.Data;

/// <summary>
/// Per-channel normalization: value = (pixel / 255 - Mean[c]) / Std[c]. Means and standard
/// deviations are of pixels scaled to [0, 1], over the training set.
/// </summary>
public sealed class Normalization
{
    public IReadOnlyList<float> Mean { get; }
    public IReadOnlyList<float> Std { get; }
    public int Channels => Mean.Count;

    public Normalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"mean has {mean.Count} channels, std {std.Count}; they must match and be non-empty");
        foreach (float s in std)
            if (!(s > 0) || float.IsInfinity(s)) throw new ArgumentOutOfRangeException(nameof(std), "every std must be positive and finite");
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>Scales to [0, 1] only (mean 0, std 1).</summary>
    public static Normalization Identity(int channels) =>
        new(Enumerable.Repeat(0f, channels).ToArray(), Enumerable.Repeat(1f, channels).ToArray());

    // Training-set statistics of pixels in [0, 1] (population std over all pixels of a channel).
    public static Normalization FashionMnist { get; } = new([0.2860406f], [0.3530242f]);
    public static Normalization Mnist { get; } = new([0.1306605f], [0.3081078f]);
    public static Normalization Cifar10 { get; } = new([0.4913997f, 0.4821584f, 0.4465309f], [0.2470322f, 0.2434851f, 0.2615877f]);
    public static Normalization Cifar100 { get; } = new([0.5070752f, 0.4865490f, 0.4409178f], [0.2673342f, 0.2564384f, 0.2761506f]);

    /// <summary>Mean and std per channel of a dataset's pixels (scaled to [0, 1]).</summary>
    public static Normalization Compute(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("cannot compute normalization of an empty dataset", nameof(data));
        int c = data.Channels, plane = data.Height * data.Width;
        var hist = new long[c, 256];
        for (int i = 0; i < data.Count; i++)
        {
            var image = data.Image(i);
            for (int ch = 0; ch < c; ch++)
            {
                int o = ch * plane;
                for (int p = 0; p < plane; p++) hist[ch, image[o + p]]++;
            }
        }
        return FromHistogram(hist, (long)data.Count * plane);
    }

    /// <summary>Mean and std per channel from pixel-value counts ([channel, value]) over <paramref name="pixelsPerChannel"/> pixels.</summary>
    public static Normalization FromHistogram(long[,] hist, long pixelsPerChannel)
    {
        ArgumentNullException.ThrowIfNull(hist);
        if (pixelsPerChannel <= 0) throw new ArgumentOutOfRangeException(nameof(pixelsPerChannel), "needs at least one pixel");
        int c = hist.GetLength(0);
        var mean = new float[c];
        var std = new float[c];
        double n = pixelsPerChannel;
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, s2 = 0;
            for (int v = 0; v < 256; v++)
            {
                double x = v / 255.0;
                s += x * hist[ch, v];
                s2 += x * x * hist[ch, v];
            }
            double m = s / n;
            double var = Math.Max(s2 / n - m * m, 0);
            mean[ch] = (float)m;
            std[ch] = (float)Math.Max(Math.Sqrt(var), 1e-6);
        }
        return new Normalization(mean, std);
    }

    /// <summary>The normalized value of a raw pixel of channel <paramref name="channel"/>.</summary>
    public float Apply(byte pixel, int channel) => (pixel / 255f - Mean[channel]) / Std[channel];

    /// <summary>256 normalized values per channel, indexed [channel * 256 + pixel].</summary>
    public float[] LookupTable()
    {
        var t = new float[Channels * 256];
        for (int ch = 0; ch < Channels; ch++)
            for (int v = 0; v < 256; v++) t[ch * 256 + v] = Apply((byte)v, ch);
        return t;
    }

    public override string ToString() =>
        $"mean [{string.Join(", ", Mean.Select(m => m.ToString("0.####")))}], std [{string.Join(", ", Std.Select(s => s.ToString("0.####")))}]";
}

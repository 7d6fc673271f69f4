namespace NasOnnx.Data;

/// <summary>
/// Random crop with zero padding (torchvision's RandomCrop(size, padding)): the image is shifted by a
/// random offset in [-Padding, Padding] along each axis and the uncovered border is filled with 0
/// (black, since it runs before normalization). Output size equals input size.
/// </summary>
public sealed class RandomCrop : IAugmentation
{
    public int Padding { get; }

    public RandomCrop(int padding)
    {
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), "padding must be >= 0");
        Padding = padding;
    }

    public void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng)
    {
        if (Padding == 0) return;
        // Offsets in the padded image, as torchvision draws them: top in [0, 2p], left in [0, 2p].
        int dy = rng.Next(2 * Padding + 1) - Padding;
        int dx = rng.Next(2 * Padding + 1) - Padding;
        if (dx == 0 && dy == 0) return;
        int h = shape.Height, w = shape.Width, plane = h * w;
        Span<float> row = w <= 1024 ? stackalloc float[w] : new float[w];
        for (int c = 0; c < shape.Channels; c++)
        {
            var p = chw.Slice(c * plane, plane);
            // out[y, x] = in[y + dy, x + dx]; walk rows in the order that never reads an overwritten row.
            for (int k = 0; k < h; k++)
            {
                int y = dy >= 0 ? k : h - 1 - k;
                int sy = y + dy;
                var dst = p.Slice(y * w, w);
                if (sy < 0 || sy >= h) { dst.Clear(); continue; }
                p.Slice(sy * w, w).CopyTo(row);
                for (int x = 0; x < w; x++)
                {
                    int sx = x + dx;
                    dst[x] = sx >= 0 && sx < w ? row[sx] : 0f;
                }
            }
        }
    }

    public override string ToString() => $"crop(padding {Padding})";
}

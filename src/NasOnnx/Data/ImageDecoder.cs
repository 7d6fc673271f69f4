using SkiaSharp;

namespace NasOnnx.Data;

/// <summary>
/// Turns an image file (PNG, JPEG, BMP, WebP, GIF's first frame: what Skia decodes) into the square, fixed-size pixels a
/// network trains on, the same way for `prepare-data` and `nasonnx predict`: scale so the shorter side is the resolution
/// (Mitchell cubic resampling), cut the centre square, then RGB or grayscale (ITU-R 601 luma), in CHW order. Transparent
/// pixels count as black (decoded premultiplied), so an icon's empty background is 0 in every channel.
/// SkiaSharp is already in the dependency tree (ScottPlot draws with it) and its decoders are Google's, kept up to date.
/// </summary>
public static class ImageDecoder
{
    /// <summary>File name endings decoded as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The file's pixels at <paramref name="resolution"/> x <paramref name="resolution"/>, <paramref name="channels"/> (1 or 3) in CHW order.</summary>
    /// <exception cref="ImageDecodeException">The file is not an image Skia reads, or it is truncated or damaged.</exception>
    public static byte[] LoadChw(string path, int resolution, int channels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new ImageDecodeException($"cannot be read: {e.Message}");
        }
        return DecodeChw(bytes, resolution, channels);
    }

    /// <summary>The same for an encoded image in memory.</summary>
    public static byte[] DecodeChw(byte[] encoded, int resolution, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), "channels must be 1 (grayscale) or 3 (RGB)");
        if (resolution < 1) throw new ArgumentOutOfRangeException(nameof(resolution));
        using var bitmap = Decode(encoded);
        using var square = CenterSquare(bitmap, resolution);
        return ToChw(square, channels);
    }

    /// <summary>Decodes to RGBA, premultiplied; a truncated file is an error, not a half image.</summary>
    private static SKBitmap Decode(byte[] encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new ImageDecodeException("is not an image (no PNG, JPEG, BMP, WebP or GIF decoder recognises it)");
        if (codec.Info.Width < 1 || codec.Info.Height < 1) throw new ImageDecodeException("has no pixels");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageDecodeException(result == SKCodecResult.IncompleteInput ? "is truncated (the image data ends early)" : $"could not be decoded ({result})");
        }
        return bitmap;
    }

    /// <summary>Scales so the shorter side is <paramref name="resolution"/>, then cuts the centred square.</summary>
    private static SKBitmap CenterSquare(SKBitmap source, int resolution)
    {
        double scale = (double)resolution / Math.Min(source.Width, source.Height);
        int w = Math.Max(resolution, (int)Math.Round(source.Width * scale)), h = Math.Max(resolution, (int)Math.Round(source.Height * scale));
        using var scaled = w == source.Width && h == source.Height
            ? source.Copy()
            : source.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell))
              ?? throw new ImageDecodeException($"could not be resized to {w}x{h}");
        var square = new SKBitmap(new SKImageInfo(resolution, resolution, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (!scaled.ExtractSubset(square, SKRectI.Create((w - resolution) / 2, (h - resolution) / 2, resolution, resolution)))
            throw new ImageDecodeException("could not be cropped");
        return square.Copy(); // ExtractSubset shares pixels with `scaled`, which is disposed here
    }

    private static byte[] ToChw(SKBitmap square, int channels)
    {
        int n = square.Width * square.Height, row = square.RowBytes, width = square.Width;
        var rgba = square.GetPixelSpan();
        var chw = new byte[channels * n];
        for (int y = 0; y < square.Height; y++)
            for (int x = 0; x < width; x++)
            {
                int s = y * row + 4 * x, p = y * width + x;
                byte r = rgba[s], g = rgba[s + 1], b = rgba[s + 2];
                if (channels == 3)
                {
                    chw[p] = r;
                    chw[n + p] = g;
                    chw[2 * n + p] = b;
                }
                else chw[p] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
            }
        return chw;
    }
}

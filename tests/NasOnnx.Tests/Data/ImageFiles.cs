using SkiaSharp;

namespace NasOnnx.Tests.Data;

/// <summary>Generated image files for the image-folder tests: a class colour plus seeded noise, any size, PNG or JPEG, RGB or gray.</summary>
public static class ImageFiles
{
    public static readonly (byte R, byte G, byte B)[] ClassColours = [(220, 40, 40), (40, 200, 60), (50, 60, 230), (200, 200, 40)];

    /// <summary>Writes one image; the same arguments give the same bytes.</summary>
    public static string Write(string path, int label, int seed, int width = 20, int height = 14, bool jpeg = false, bool gray = false)
    {
        var rng = new Random(seed * 7919 + label);
        var (r, g, b) = ClassColours[label % ClassColours.Length];
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int n = rng.Next(-30, 31);
                byte R = Clamp(r + n), G = Clamp(g + n), B = Clamp(b + n);
                if (gray) R = G = B = Clamp((r + g + b) / 3 + n);
                bitmap.SetPixel(x, y, new SKColor(R, G, B));
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    /// <summary>root/&lt;class&gt;/NN.png|jpg for the given classes: mixed PNG/JPEG, RGB/gray, odd non-square sizes.</summary>
    public static void WriteClassFolders(string root, string[] classes, int perClass, int seed = 1)
    {
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < perClass; i++)
            {
                bool jpeg = i % 3 == 1, gray = i % 4 == 3;
                Write(Path.Combine(root, classes[c], $"{i:00}.{(jpeg ? "jpg" : "png")}"), c, seed * 1000 + i, width: 17 + i % 5, height: 11 + 2 * (i % 3), jpeg: jpeg, gray: gray);
            }
    }
}

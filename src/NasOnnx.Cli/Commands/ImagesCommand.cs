using System.ComponentModel;
using NasOnnx.Data;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// <c>nasonnx images DATASET --out DIR</c>: writes a built-in dataset (Fashion-MNIST, MNIST, CIFAR) as an image folder,
/// DIR/train/&lt;class&gt;/&lt;index&gt;.png and DIR/test/..., lossless PNG (grayscale or RGB), so the image-folder route can be
/// compared with the binary one on the same pixels.
/// </summary>
public sealed class ImagesCommand(IAnsiConsole console) : Command<ImagesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("fashion-mnist, mnist, cifar10 or cifar100 (found as `prepare-data` finds it).")]
        public string Dataset { get; init; } = "";

        [CommandOption("-o|--out <DIR>")]
        [Description("The folder to write (must not exist yet).")]
        public string Out { get; init; } = "";

        [CommandOption("--path <DIR>")]
        [Description("Where the dataset's files are (default: the usual places, as prepare-data searches).")]
        public string? Path { get; init; }

        [CommandOption("--limit <N>")]
        [Description("At most N images per split (0: all). Default 0.")]
        [DefaultValue(0)]
        public int Limit { get; init; }

        public override ValidationResult Validate()
        {
            if (!DatasetCatalog.TryGet(Dataset, out _)) return ValidationResult.Error($"unknown dataset '{Dataset}': use one of {string.Join(", ", DatasetCatalog.Names)}");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
            if (Directory.Exists(Out) || File.Exists(Out)) return ValidationResult.Error($"{Out} exists already; name a new folder");
            return Limit < 0 ? ValidationResult.Error("--limit must be 0 or more") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var info = DatasetCatalog.Get(s.Dataset);
        var pair = DatasetLoader.Load(DatasetLocator.Locate(info, s.Path, Directory.GetCurrentDirectory()));
        string temp = s.Out.TrimEnd('/') + ".partial";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        foreach (var (split, data) in new[] { ("train", pair.Train), ("test", pair.Test) })
        {
            int count = s.Limit > 0 ? Math.Min(s.Limit, data.Count) : data.Count;
            var folders = data.ClassNames.Select(c => System.IO.Path.Combine(temp, split, FolderName(c))).ToArray();
            foreach (var f in folders) Directory.CreateDirectory(f);
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                File.WriteAllBytes(System.IO.Path.Combine(folders[data.Labels[i]], $"{i:D5}.png"), Png(data, i)));
            console.MarkupLine(Markup.Escape($"{split}: {count} images in {data.ClassNames.Count} class folders"));
        }
        Directory.Move(temp, s.Out); // the folder appears complete or not at all
        console.MarkupLine(Markup.Escape($"wrote {s.Out}"));
        return 0;
    }

    /// <summary>A class name as a folder name: path separators become '-'.</summary>
    public static string FolderName(string className) => className.Replace('/', '-').Replace('\\', '-');

    private static byte[] Png(Dataset data, int index)
    {
        var pixels = data.Image(index);
        int h = data.Height, w = data.Width, n = h * w;
        var info = new SKImageInfo(w, h, data.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var span = bitmap.GetPixelSpan();
        int row = bitmap.RowBytes;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (data.Channels == 1) span[y * row + x] = pixels[p];
                else
                {
                    int d = y * row + 4 * x;
                    span[d] = pixels[p];
                    span[d + 1] = pixels[n + p];
                    span[d + 2] = pixels[2 * n + p];
                    span[d + 3] = 255;
                }
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }
}

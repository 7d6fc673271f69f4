using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using NasOnnx.Data;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasOnnx.Cli.Commands;

/// <summary>
/// `nasonnx bench data`: images/s of decoding an image folder into prepare-data's cache (parallel, all cores), and
/// images/s of the BatchLoader reading that cache (in memory and memory-mapped) against the same images read from
/// Fashion-MNIST IDX files, side by side in one run. Without --folder it writes the first --count Fashion-MNIST
/// training images as PNGs (one folder per class) into a temporary folder, so both sides hold the same pixels.
/// </summary>
public sealed class BenchDataCommand(IAnsiConsole console) : Command<BenchDataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--idx <FOLDER>")]
        [Description("Folder with the Fashion-MNIST IDX files. Default /usr/share/datasets/fashion-mnist")]
        public string Idx { get; init; } = DatasetCatalog.DebianFashionMnistFolder;

        [CommandOption("--folder <FOLDER>")]
        [Description("An image folder to decode instead of PNGs written from the IDX images (then the loader comparison uses as many IDX images)")]
        public string? Folder { get; init; }

        [CommandOption("--count <N>")]
        [Description("IDX images written as PNGs. Default 5000")]
        public int Count { get; init; } = 5000;

        [CommandOption("--batch <N>")]
        [Description("Images per batch. Default 128")]
        public int Batch { get; init; } = 128;

        [CommandOption("--epochs <N>")]
        [Description("Loader epochs timed per source; the best counts. Default 3")]
        public int Epochs { get; init; } = 3;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var location = DatasetLocator.InFolder(DatasetCatalog.FashionMnist, settings.Idx, DatasetSource.Explicit)
            ?? throw new NasOnnxException($"no Fashion-MNIST IDX files in {settings.Idx}", DatasetCatalog.FashionMnist.ManualSource) { FilePath = settings.Idx };
        var idx = DatasetLoader.Load(location).Train;
        string work = Directory.CreateTempSubdirectory("nasonnx-bench-data-").FullName;
        try
        {
            string folder = settings.Folder ?? WritePngs(idx, Math.Min(settings.Count, idx.Count), Path.Combine(work, "images"));
            var listing = ImageFolderLister.List(folder);
            var options = new ImageFolderOptions(idx.Height, idx.Channels, SkipBadImages: false, TestFraction: 0.2, Seed: 1);
            string cache = Path.Combine(work, "cache");
            Directory.CreateDirectory(cache);
            var watch = Stopwatch.StartNew();
            var result = ImageFolderPreparer.Prepare(listing, options, cache, cancellation: cancellation);
            double decodeRate = listing.Entries.Count / watch.Elapsed.TotalSeconds;

            string trainCache = Path.Combine(cache, ImageFolderPreparer.TrainCache);
            var inMemory = ImageCacheFile.Open(trainCache, "cache", result.ClassNames, long.MaxValue);
            var mapped = ImageCacheFile.Open(trainCache, "cache (mapped)", result.ClassNames, -1);
            var fromIdx = idx.Subset(Enumerable.Range(0, Math.Min(inMemory.Count, idx.Count)).ToArray(), "idx");
            var norm = Normalization.Compute(inMemory);
            double Rate(Dataset data) => LoaderRate(data, settings, norm);
            double idxRate = Rate(fromIdx), memoryRate = Rate(inMemory), mappedRate = Rate(mapped);

            var table = new Table().AddColumns("measure", "images", "images/s", "vs IDX loader");
            string F(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
            string R(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
            table.AddRow("decode folder -> cache", listing.Entries.Count.ToString(CultureInfo.InvariantCulture), F(decodeRate), "-");
            table.AddRow("loader: IDX in memory", fromIdx.Count.ToString(CultureInfo.InvariantCulture), F(idxRate), "1.00");
            table.AddRow("loader: folder cache in memory", inMemory.Count.ToString(CultureInfo.InvariantCulture), F(memoryRate), R(memoryRate / idxRate));
            table.AddRow("loader: folder cache memory-mapped", mapped.Count.ToString(CultureInfo.InvariantCulture), F(mappedRate), R(mappedRate / idxRate));
            console.Write(table);
            console.WriteLine($"{Environment.ProcessorCount} cores; {idx.Channels}x{idx.Height}x{idx.Width} images, batch {settings.Batch}, no augmentation; " +
                              $"decoding is {R(idxRate / decodeRate)}x slower than reading IDX batches: why prepare-data decodes once.");
            (mapped.PixelSource as IDisposable)?.Dispose();
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Best images/s over the epochs of a BatchLoader reading every image of <paramref name="data"/>.</summary>
    private static double LoaderRate(Dataset data, Settings settings, Normalization norm)
    {
        using var loader = new BatchLoader(data, null, new BatchLoaderOptions { BatchSize = settings.Batch, Seed = 1, Normalization = norm });
        double best = 0;
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            int images = 0;
            foreach (var batch in loader.Epoch(epoch)) images += batch.Labels.Length;
            best = Math.Max(best, images / watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>The first <paramref name="count"/> images as grayscale PNGs in &lt;folder&gt;/&lt;class&gt;/&lt;index&gt;.png.</summary>
    private static string WritePngs(Dataset data, int count, string folder)
    {
        Parallel.For(0, count, i =>
        {
            using var bitmap = new SKBitmap(new SKImageInfo(data.Width, data.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            data.Image(i).CopyTo(bitmap.GetPixelSpan());
            using var image = SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            string dir = Path.Combine(folder, data.Labels[i].ToString("00", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"{i:000000}.png"), png.ToArray());
        });
        return folder;
    }
}

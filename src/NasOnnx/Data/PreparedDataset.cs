using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Data;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// dataset.json, the output of prepare-data that later stages read: which dataset, where its files are
/// (with their hashes, so the lock notices changed data), its normalization and how to split it. A text dataset
/// (<see cref="IsText"/>) reports its shape as 1 x 1 x sequence length with mean 0 and std 1, and adds its vocabulary.
/// </summary>
public sealed record PreparedDataset
{
    public const string FileName = "dataset.json";

    public required string Name { get; init; }
    public required string Source { get; init; }
    public required string Folder { get; init; }
    public required IReadOnlyList<string> TrainFiles { get; init; }
    public required IReadOnlyList<string> TestFiles { get; init; }
    public required IReadOnlyDictionary<string, string> FileHashes { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required IReadOnlyList<float> Mean { get; init; }
    public required IReadOnlyList<float> Std { get; init; }
    public required int TrainCount { get; init; }
    public required int TestCount { get; init; }
    public required double ValidationFraction { get; init; }
    public required long SplitSeed { get; init; }
    /// <summary>How the validation rows are drawn from the training rows: null (a seeded random sample) or
    /// <see cref="ContiguousSplit"/> (a contiguous run of each class in file order). Left out of JSON when null, so
    /// datasets prepared before it existed read, and hash, as they did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ValidationSplit { get; init; }

    public const string RandomSplit = "random";
    public const string ContiguousSplit = "contiguous";

    /// <summary>The training rows split into train and validation as prepare-data decided (fraction, seed, random or contiguous).</summary>
    public (int[] Train, int[] Validation) SplitTraining(Dataset train) =>
        ValidationSplit == ContiguousSplit
            ? DatasetSplit.ContiguousValidation(train.Labels, ValidationFraction, SplitSeed)
            : DatasetSplit.TrainValidation(train, ValidationFraction, SplitSeed);

    /// <summary>"folder" for an image folder or manifest, "text" for token sequences (TrainFiles/TestFiles are then caches beside dataset.json); absent for catalog datasets.</summary>
    public string? Format { get; init; }
    /// <summary>Images at the end of the training cache that came from a val/ folder: the validation split as given.</summary>
    public int? ValidationCount { get; init; }
    /// <summary>Caches larger than this many MiB are memory-mapped instead of read into memory (0: a quarter of RAM).</summary>
    public long? MemoryBudgetMb { get; init; }
    /// <summary>Images left out by on_bad_image: skip (listed in skipped.csv).</summary>
    public int? SkippedCount { get; init; }

    public const string FolderFormat = "folder";
    /// <summary>Format of a text dataset: TrainFiles/TestFiles are token caches (<see cref="TokenCacheFile"/>) beside dataset.json, with <see cref="Vocabulary"/>.</summary>
    public const string TextFormat = "text";

    /// <summary>Text: the vocabulary file beside dataset.json (vocab.json), which turns text into the ids the model reads.</summary>
    public string? Vocabulary { get; init; }
    /// <summary>Text: ids in the vocabulary (&lt;pad&gt; and &lt;unk&gt; included): every token id is below it.</summary>
    public int? VocabularySize { get; init; }
    /// <summary>Text: tokens per sequence (max_length; shorter texts are padded with id 0, longer ones keep their first tokens).</summary>
    public int? SequenceLength { get; init; }
    /// <summary>Text: how train and test were separated: official (the dataset's own, verified), seeded-stratified, or given (separate files).</summary>
    public string? Split { get; init; }
    /// <summary>Text: the files the texts were read from, with their SHA-256.</summary>
    public IReadOnlyDictionary<string, string>? SourceHashes { get; init; }
    /// <summary>Text: whether the source matched the published checksum (IMDB); absent when there is none to match.</summary>
    public bool? SourceVerified { get; init; }
    /// <summary>Text: lengths and &lt;unk&gt; share of the training texts (validation share included) and of the test texts.</summary>
    public TextStatistics? TrainText { get; init; }
    public TextStatistics? TestText { get; init; }

    [JsonIgnore]
    public bool IsText => Format == TextFormat;

    /// <summary>The folder dataset.json was loaded from (where a folder dataset's caches are).</summary>
    [JsonIgnore]
    public string? LoadedFrom { get; init; }

    public Normalization Normalization => new(Mean, Std);

    /// <summary>The path of a text dataset's vocab.json (in the folder dataset.json was loaded from).</summary>
    [JsonIgnore]
    public string VocabularyPath => IsText && Vocabulary is { } file
        ? Path.Combine(LoadedFrom ?? throw new InvalidOperationException("a text dataset must be loaded with PreparedDataset.Load"), file)
        : throw new InvalidOperationException($"{Name} is not a text dataset");

    /// <summary>A text dataset's vocabulary (checked as it is read).</summary>
    public TextVocabulary LoadVocabulary() => TextVocabulary.Load(VocabularyPath);

    public void Save(string dir) => AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, SnakeJson.Options));

    public static PreparedDataset Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
            throw new NasOnnxException($"{FileName} is missing in {dir}", "the input must name a prepare-data stage; re-run it with --force") { FilePath = path };
        try
        {
            var prepared = JsonSerializer.Deserialize<PreparedDataset>(File.ReadAllText(path), SnakeJson.Options)
                ?? throw new JsonException("empty document");
            return prepared with { LoadedFrom = dir };
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"{FileName} is damaged ({e.Message})", "re-run the prepare-data stage with --force") { FilePath = path };
        }
    }

    /// <summary>Reads the images and labels again and splits training images into train/validation as prepare-data did.</summary>
    public LoadedData LoadData()
    {
        if (Format == FolderFormat) return LoadFolderCaches();
        if (IsText) return LoadTokenCaches();
        var info = DatasetCatalog.Get(Name);
        var location = new DatasetLocation(info, Enum.Parse<DatasetSource>(Source, ignoreCase: true), Folder, TrainFiles, TestFiles, [Folder]);
        var pair = DatasetLoader.Load(location);
        var (train, val) = SplitTraining(pair.Train);
        return new LoadedData(this, pair.Train, train, val, pair.Test);
    }

    /// <summary>The caches prepare-data decoded the image folder into: in memory when they fit the budget, memory-mapped otherwise.</summary>
    private LoadedData LoadFolderCaches()
    {
        string dir = LoadedFrom ?? throw new InvalidOperationException("a folder dataset must be loaded with PreparedDataset.Load");
        long budget = MemoryBudgetMb is > 0 ? MemoryBudgetMb.Value * 1024 * 1024 : DefaultMemoryBudgetBytes;
        string trainPath = Path.Combine(dir, TrainFiles[0]), testPath = Path.Combine(dir, TestFiles[0]);
        // One decision for both caches, so that a data set either fits as a whole or is read from the maps as a whole.
        long total = (File.Exists(trainPath) ? new FileInfo(trainPath).Length : 0) + (File.Exists(testPath) ? new FileInfo(testPath).Length : 0);
        long perFile = total <= budget ? long.MaxValue : -1;
        var train = ImageCacheFile.Open(trainPath, Name + "/train", ClassNames, perFile);
        var test = ImageCacheFile.Open(testPath, Name + "/test", ClassNames, perFile);
        int given = ValidationCount ?? 0;
        var (trainIdx, valIdx) = given > 0
            ? (Enumerable.Range(0, train.Count - given).ToArray(), Enumerable.Range(train.Count - given, given).ToArray())
            : SplitTraining(train);
        return new LoadedData(this, train, trainIdx, valIdx, test);
    }

    /// <summary>The token caches prepare-data wrote for a text dataset, split into train/validation as for images.</summary>
    private LoadedData LoadTokenCaches()
    {
        string dir = LoadedFrom ?? throw new InvalidOperationException("a text dataset must be loaded with PreparedDataset.Load");
        string datasetFile = Path.Combine(dir, FileName);
        if (SequenceLength is not > 0 || VocabularySize is not > 2 || TrainFiles.Count != 1 || TestFiles.Count != 1)
            throw new NasOnnxException($"{FileName} of the text dataset {Name} lacks its sequence length, vocabulary size or caches",
                "re-run the prepare-data stage with --force") { FilePath = datasetFile };
        var train = TokenCacheFile.Read(Path.Combine(dir, TrainFiles[0]), Name + "/train", ClassNames, SequenceLength.Value, VocabularySize.Value);
        var test = TokenCacheFile.Read(Path.Combine(dir, TestFiles[0]), Name + "/test", ClassNames, SequenceLength.Value, VocabularySize.Value);
        var (trainIdx, valIdx) = SplitTraining(train);
        return new LoadedData(this, train, trainIdx, valIdx, test);
    }

    /// <summary>A quarter of the memory this process may use: room for the model, the batches and the rest.</summary>
    public static long DefaultMemoryBudgetBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
}

using System.Text.Json;
using NasOnnx.Data;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// dataset.json, the output of prepare-data that later stages read: which dataset, where its files are
/// (with their hashes, so the lock notices changed data), its normalization and how to split it.
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

    public Normalization Normalization => new(Mean, Std);

    public void Save(string dir) => AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, SnakeJson.Options));

    public static PreparedDataset Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
            throw new NasOnnxException($"{FileName} is missing in {dir}", "the input must name a prepare-data stage; re-run it with --force") { FilePath = path };
        try
        {
            return JsonSerializer.Deserialize<PreparedDataset>(File.ReadAllText(path), SnakeJson.Options)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"{FileName} is damaged ({e.Message})", "re-run the prepare-data stage with --force") { FilePath = path };
        }
    }

    /// <summary>Reads the images and labels again and splits training images into train/validation as prepare-data did.</summary>
    public LoadedData LoadData()
    {
        var info = DatasetCatalog.Get(Name);
        var location = new DatasetLocation(info, Enum.Parse<DatasetSource>(Source, ignoreCase: true), Folder, TrainFiles, TestFiles, [Folder]);
        var pair = DatasetLoader.Load(location);
        var (train, val) = DatasetSplit.TrainValidation(pair.Train, ValidationFraction, SplitSeed);
        return new LoadedData(this, pair.Train, train, val, pair.Test);
    }
}

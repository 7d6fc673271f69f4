using NasOnnx.Data;
using NasOnnx.Reporting;
using NasOnnx.Core;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Finds (or downloads) the dataset, checks every file, and writes dataset.json and a class summary.</summary>
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
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [];

    public IEnumerable<string> ExternalDependencies(StageContext context)
    {
        var location = Locate(context);
        return location.Found ? location.TrainFiles.Concat(location.TestFiles) : [];
    }

    public void Validate(StageContext context)
    {
        double f = context.Float("validation_fraction");
        if (f is < 0 or >= 1)
            throw context.Error($"validation_fraction must be in [0, 1), got {f}", "use e.g. 0.1", context.PipelineFile);
    }

    private static DatasetLocation Locate(StageContext context)
    {
        var info = DatasetCatalog.Get(context.RequiredString("dataset"));
        string? explicitPath = context.String("path") is { Length: > 0 } p ? context.ResolvePath(p) : null;
        return DatasetLocator.Locate(info, explicitPath, context.ProjectRoot);
    }

    public void Run(StageContext context)
    {
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
        var rows = new List<IReadOnlyList<string>>();
        void Count(string split, Dataset data, IEnumerable<int> indices)
        {
            var counts = new int[data.Classes];
            foreach (int i in indices) counts[data.Labels[i]]++;
            for (int c = 0; c < counts.Length; c++) rows.Add([split, c.ToString(), data.ClassNames[c], counts[c].ToString()]);
        }
        Count("train", pair.Train, train);
        Count("validation", pair.Train, val);
        Count("test", pair.Test, Enumerable.Range(0, pair.Test.Count));
        Csv.WriteTable(context.OutputPath("summary.csv"), ["split", "class", "name", "images"], rows);
        context.Log.Info($"train {train.Length}, validation {val.Length}, test {pair.Test.Count} images of {pair.Train.Channels}x{pair.Train.Height}x{pair.Train.Width}, {pair.Train.Classes} classes");
    }
}

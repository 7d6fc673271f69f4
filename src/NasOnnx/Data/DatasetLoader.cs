namespace NasOnnx.Data;

/// <summary>Reads a located dataset into memory; and the one-call find-or-download-then-read.</summary>
public static class DatasetLoader
{
    /// <summary>Reads the train and test sets from a found location.</summary>
    public static DatasetPair Load(DatasetLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.Found)
            throw new NasOnnxException($"{location.Dataset.DisplayName} was not found (searched {string.Join(", ", location.Searched)})",
                $"To get the files: {location.Dataset.ManualSource}.");
        var info = location.Dataset;
        return new DatasetPair(Read(info, location.TrainFiles, info.Name + "/train"), Read(info, location.TestFiles, info.Name + "/test"));
    }

    private static Dataset Read(DatasetInfo info, IReadOnlyList<string> files, string name) => info.Format switch
    {
        DatasetFormat.Idx => IdxReader.ReadDataset(name, files[0], files[1], info.Height, info.Width, info.ClassNames),
        DatasetFormat.Cifar10Binary => CifarReader.Read(name, files, cifar100: false, info.ClassNames),
        DatasetFormat.Cifar100Binary => CifarReader.Read(name, files, cifar100: true, info.ClassNames),
        _ => throw new NotSupportedException(info.Format.ToString()),
    };

    /// <summary>
    /// Finds the dataset (see <see cref="DatasetLocator"/>); when no location has it and the dataset
    /// can be downloaded, downloads it into &lt;repoRoot&gt;/data/&lt;name&gt;/; then reads it.
    /// </summary>
    public static async Task<(DatasetPair Data, DatasetLocation Location)> LoadAsync(
        DatasetInfo info, string? explicitPath, string repoRoot,
        DatasetDownloader? downloader = null, IProgress<DownloadProgress>? progress = null,
        IReadOnlyList<string>? systemFolders = null, CancellationToken cancellationToken = default)
    {
        var location = DatasetLocator.Locate(info, explicitPath, repoRoot, systemFolders);
        if (!location.Found)
        {
            if (info.DownloadBaseUrl is null || downloader is null)
                throw new NasOnnxException(
                    $"{info.DisplayName} was not found (searched {string.Join(", ", location.Searched)})",
                    $"To get the files: {info.ManualSource}.");
            string folder = info.RepoFolder(repoRoot);
            await downloader.DownloadAsync(info, folder, progress, cancellationToken).ConfigureAwait(false);
            var downloaded = DatasetLocator.InFolder(info, folder, DatasetSource.Downloaded)
                             ?? throw new InvalidOperationException($"downloaded files are missing from {folder}");
            location = downloaded with { Searched = location.Searched };
        }
        return (Load(location), location);
    }
}

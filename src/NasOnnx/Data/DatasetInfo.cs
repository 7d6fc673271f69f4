namespace NasOnnx.Data;

/// <summary>
/// What the catalog knows about one dataset: shape, classes, normalization, the files that make it
/// up and where they may be found or downloaded.
/// </summary>
public sealed record DatasetInfo
{
    /// <summary>Catalog name as used in pipeline files: fashion-mnist, mnist, cifar10, cifar100.</summary>
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required DatasetFormat Format { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public int Classes => ClassNames.Count;
    public required Normalization Normalization { get; init; }
    /// <summary>Training files, in reading order. IDX: images then labels.</summary>
    public required IReadOnlyList<string> TrainFiles { get; init; }
    /// <summary>Test files. IDX: images then labels.</summary>
    public required IReadOnlyList<string> TestFiles { get; init; }
    /// <summary>
    /// Sub-folders of a location that may hold the files (besides the location itself), e.g. the
    /// folder the official CIFAR archive extracts to.
    /// </summary>
    public IReadOnlyList<string> SubFolders { get; init; } = [];
    /// <summary>System-wide folders to search after the repository's data folder (e.g. Debian packages).</summary>
    public IReadOnlyList<string> SystemFolders { get; init; } = [];
    /// <summary>Official download location, or null when nasonnx cannot download this dataset itself.</summary>
    public Uri? DownloadBaseUrl { get; init; }
    /// <summary>The files at <see cref="DownloadBaseUrl"/> with their MD5 checksums.</summary>
    public IReadOnlyList<RemoteFile> DownloadFiles { get; init; } = [];
    /// <summary>Where to get the files by hand; shown when they are missing.</summary>
    public required string ManualSource { get; init; }

    /// <summary>Every file the dataset needs (train then test).</summary>
    public IEnumerable<string> AllFiles => TrainFiles.Concat(TestFiles);

    /// <summary>The folder under the repository root where this dataset lives: data/&lt;name&gt;.</summary>
    public string RepoFolder(string repoRoot) => Path.Combine(repoRoot, "data", Name);
}

namespace NasOnnx.Data;

/// <summary>Which kind of place a dataset was found in.</summary>
public enum DatasetSource
{
    /// <summary>Not found anywhere.</summary>
    None,
    /// <summary>The path given in the pipeline file.</summary>
    Explicit,
    /// <summary>&lt;repoRoot&gt;/data/&lt;name&gt;/.</summary>
    Repository,
    /// <summary>A system folder such as Debian's /usr/share/datasets/fashion-mnist.</summary>
    System,
    /// <summary>Downloaded just now into &lt;repoRoot&gt;/data/&lt;name&gt;/.</summary>
    Downloaded,
}

/// <summary>
/// The result of looking for a dataset: the folder that holds all its files (null when none does),
/// the files resolved in it, and every folder that was searched, in order.
/// </summary>
public sealed record DatasetLocation(
    DatasetInfo Dataset,
    DatasetSource Source,
    string? Folder,
    IReadOnlyList<string> TrainFiles,
    IReadOnlyList<string> TestFiles,
    IReadOnlyList<string> Searched)
{
    public bool Found => Folder is not null;

    public override string ToString() => Found
        ? $"{Dataset.DisplayName} from {Folder} ({Source.ToString().ToLowerInvariant()})"
        : $"{Dataset.DisplayName} not found (searched {string.Join(", ", Searched)})";
}

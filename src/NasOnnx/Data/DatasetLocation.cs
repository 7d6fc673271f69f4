namespace NasOnnx.Data;

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

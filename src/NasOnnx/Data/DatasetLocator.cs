namespace NasOnnx.Data;

/// <summary>
/// Finds a dataset's files. Order: the explicit path from the pipeline file (when given it must hold
/// the files, otherwise that is an error naming it), then &lt;repoRoot&gt;/data/&lt;name&gt;/, then the
/// dataset's system folders (e.g. /usr/share/datasets/fashion-mnist from Debian's
/// dataset-fashion-mnist package). IDX files are accepted gzipped (name.gz) or plain (name).
/// </summary>
public static class DatasetLocator
{
    /// <param name="systemFolders">Overrides the catalog's system folders (tests pass an empty list).</param>
    public static DatasetLocation Locate(DatasetInfo info, string? explicitPath, string repoRoot, IReadOnlyList<string>? systemFolders = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        var searched = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            string full = Path.GetFullPath(explicitPath, repoRoot);
            searched.Add(full);
            if (TryFolder(info, full, searched, out var loc, DatasetSource.Explicit)) return loc;
            string missing = string.Join(", ", MissingFiles(info, full));
            throw new NasOnnxException(
                Directory.Exists(full)
                    ? $"the {info.DisplayName} folder given in the pipeline file, {full}, lacks {missing}"
                    : $"the {info.DisplayName} folder given in the pipeline file, {full}, does not exist",
                $"Fix the dataset path in the pipeline file, or remove it to use data/{info.Name}/; to get the files: {info.ManualSource}.")
            { FilePath = full };
        }
        string repoFolder = Path.GetFullPath(info.RepoFolder(repoRoot));
        searched.Add(repoFolder);
        if (TryFolder(info, repoFolder, searched, out var repoLoc, DatasetSource.Repository)) return repoLoc;
        foreach (string sys in systemFolders ?? info.SystemFolders)
        {
            searched.Add(sys);
            if (TryFolder(info, sys, searched, out var sysLoc, DatasetSource.System)) return sysLoc;
        }
        return new DatasetLocation(info, DatasetSource.None, null, [], [], searched);
    }

    /// <summary>A location for files that are known to be in <paramref name="folder"/> (e.g. just downloaded).</summary>
    public static DatasetLocation? InFolder(DatasetInfo info, string folder, DatasetSource source)
    {
        var searched = new List<string> { folder };
        return TryFolder(info, folder, searched, out var loc, source) ? loc : null;
    }

    /// <summary>The required files that <paramref name="folder"/> lacks (neither gzipped nor plain).</summary>
    public static IReadOnlyList<string> MissingFiles(DatasetInfo info, string folder) =>
        info.AllFiles.Where(f => Resolve(folder, f) is null).ToList();

    private static bool TryFolder(DatasetInfo info, string folder, List<string> searched, out DatasetLocation location, DatasetSource source)
    {
        location = null!;
        if (!Directory.Exists(folder)) return false;
        foreach (string candidate in new[] { folder }.Concat(info.SubFolders.Select(s => Path.Combine(folder, s))))
        {
            var train = info.TrainFiles.Select(f => Resolve(candidate, f)).ToList();
            var test = info.TestFiles.Select(f => Resolve(candidate, f)).ToList();
            if (train.Concat(test).All(p => p is not null))
            {
                location = new DatasetLocation(info, source, candidate, train!, test!, searched);
                return true;
            }
        }
        return false;
    }

    /// <summary>The path of <paramref name="name"/> in <paramref name="folder"/>, also trying it without/with ".gz".</summary>
    public static string? Resolve(string folder, string name)
    {
        string p = Path.Combine(folder, name);
        if (File.Exists(p)) return p;
        string alt = name.EndsWith(".gz", StringComparison.Ordinal) ? p[..^3] : p + ".gz";
        return File.Exists(alt) ? alt : null;
    }
}

using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// Finds the images of a folder data set, in one of three forms:
/// <list type="bullet">
/// <item><c>root/&lt;class&gt;/*.png|jpg|...</c>: one folder per class (the test split is drawn later);</item>
/// <item><c>root/train/&lt;class&gt;/...</c> with <c>root/test/</c> and optionally <c>root/val/</c> or <c>root/validation/</c>;</item>
/// <item>a manifest, CSV with a <c>path,label</c> header (and an optional <c>split</c> column) or JSONL lines
/// <c>{"path": ..., "label": ..., "split": ...}</c>, paths relative to the manifest.</item>
/// </list>
/// Class names are the training classes sorted ordinally (folder names or manifest labels alike), so the label
/// numbering does not depend on the file system's listing order or on the manifest's row order. Images are ordered
/// by split, class, then path, so every listing of the same files is the same. Files with other endings are passed over.
/// </summary>
public static class ImageFolderLister
{
    private static readonly string[] ManifestEndings = [".csv", ".jsonl"];
    private const string FixLayout = "lay the images out as <root>/<class>/<image> (optionally under train/, val/ and test/), or list them in a manifest (CSV path,label or JSONL)";

    public static bool IsManifest(string path) => File.Exists(path) && ManifestEndings.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>True when <paramref name="path"/> is a manifest, or a folder with a train/ folder or a class folder holding images.</summary>
    public static bool LooksLikeImageDataset(string path)
    {
        if (IsManifest(path)) return true;
        if (!Directory.Exists(path)) return false;
        if (Directory.Exists(Path.Combine(path, "train"))) return Directory.EnumerateDirectories(Path.Combine(path, "train")).Any();
        return Directory.EnumerateDirectories(path).Any(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories).Any(ImageDecoder.IsImageFile));
    }

    public static ImageListing List(string path)
    {
        string full = Path.GetFullPath(path);
        if (IsManifest(full)) return ListManifest(full);
        if (!Directory.Exists(full))
            throw new NasOnnxException($"the image folder {full} does not exist", "fix `path:` in the pipeline file") { FilePath = full };
        return ListFolder(full);
    }

    private static ImageListing ListFolder(string root)
    {
        string train = Path.Combine(root, "train");
        bool splitLayout = Directory.Exists(train);
        var splits = new List<(ImageSplit Split, string Folder)> { (ImageSplit.Train, splitLayout ? train : root) };
        if (splitLayout)
        {
            foreach (string name in new[] { "val", "validation" })
                if (Directory.Exists(Path.Combine(root, name))) splits.Add((ImageSplit.Validation, Path.Combine(root, name)));
            if (Directory.Exists(Path.Combine(root, "test"))) splits.Add((ImageSplit.Test, Path.Combine(root, "test")));
        }
        var classFolders = splits.ToDictionary(s => s, s => Directory.GetDirectories(s.Folder).Order(StringComparer.Ordinal).ToList());
        var classNames = classFolders[splits[0]].Select(d => Path.GetFileName(d)!).ToList();
        if (classNames.Count == 0)
            throw new NasOnnxException($"the image folder {splits[0].Folder} has no class folders", FixLayout) { FilePath = splits[0].Folder };
        CheckClassCount(classNames.Count, root);
        var labelOf = classNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var entries = new List<ImageEntry>();
        foreach (var split in splits)
            foreach (string folder in classFolders[split])
            {
                string name = Path.GetFileName(folder)!;
                if (!labelOf.TryGetValue(name, out int label))
                    throw new NasOnnxException($"class '{name}' ({folder}) is in {Path.GetFileName(split.Folder)}/ but not in train/",
                        "add training images of that class, or remove the folder") { FilePath = folder };
                var images = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(ImageDecoder.IsImageFile).Order(StringComparer.Ordinal).ToList();
                if (images.Count == 0)
                    throw new NasOnnxException($"the class folder {folder} has no images ({string.Join(", ", ImageDecoder.Extensions)})",
                        "add images to it or remove the folder") { FilePath = folder };
                entries.AddRange(images.Select(f => new ImageEntry(f, label, split.Split)));
            }
        return new ImageListing(root, null, classNames, entries, splits.Any(s => s.Split == ImageSplit.Test));
    }

    private static ImageListing ListManifest(string manifest)
    {
        string folder = Path.GetDirectoryName(manifest)!;
        var rows = Path.GetExtension(manifest).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(manifest) : ReadJsonLines(manifest);
        if (rows.Count == 0) throw new NasOnnxException($"the manifest {manifest} lists no images", FixLayout) { FilePath = manifest };
        var classNames = rows.Where(r => r.Split == ImageSplit.Train).Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (classNames.Count == 0) throw new NasOnnxException($"the manifest {manifest} lists no training images", "give some rows the split train (or no split)") { FilePath = manifest };
        CheckClassCount(classNames.Count, manifest);
        var labelOf = classNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var entries = new List<ImageEntry>();
        foreach (var row in rows)
        {
            string file = Path.GetFullPath(row.Path, folder);
            if (!File.Exists(file))
                throw new NasOnnxException($"the manifest {manifest}, line {row.Line}, names {file}, which does not exist",
                    "fix the path (relative to the manifest's folder) or remove the line") { FilePath = manifest };
            if (!labelOf.TryGetValue(row.Label, out int label))
                throw new NasOnnxException($"the manifest {manifest}, line {row.Line}: class '{row.Label}' is in {row.Split.ToString().ToLowerInvariant()} but has no training images",
                    "add training images of that class, or remove the line") { FilePath = manifest };
            entries.Add(new ImageEntry(file, label, row.Split));
        }
        var ordered = entries.OrderBy(e => e.Split).ThenBy(e => e.Label).ThenBy(e => e.FilePath, StringComparer.Ordinal).ToList();
        return new ImageListing(folder, manifest, classNames, ordered, entries.Any(e => e.Split == ImageSplit.Test));
    }

    private static void CheckClassCount(int count, string path)
    {
        if (count > 256)
            throw new NasOnnxException($"{path} has {count} classes; at most 256 are supported (labels are bytes)", "merge or drop classes") { FilePath = path };
    }

    private sealed record ManifestRow(int Line, string Path, string Label, ImageSplit Split);

    private static List<ManifestRow> ReadCsv(string manifest)
    {
        var (header, rows) = Csv.ReadTable(manifest);
        int Column(string name) => header.ToList().FindIndex(h => h.Trim().Equals(name, StringComparison.OrdinalIgnoreCase));
        int path = Column("path"), label = Column("label"), split = Column("split");
        if (path < 0 || label < 0)
            throw new NasOnnxException($"the manifest {manifest} has no path,label header (it has: {string.Join(",", header)})",
                "start the file with the line path,label (and ,split to give the split of each image)") { FilePath = manifest };
        var result = new List<ManifestRow>();
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            int line = i + 2;
            if (row.Count <= Math.Max(path, Math.Max(label, split)))
                throw new NasOnnxException($"the manifest {manifest}, line {line}, has {row.Count} fields", "give every line a path and a label") { FilePath = manifest };
            result.Add(Row(manifest, line, row[path], row[label], split >= 0 ? row[split] : null));
        }
        return result;
    }

    private static List<ManifestRow> ReadJsonLines(string manifest)
    {
        var result = new List<ManifestRow>();
        int line = 0;
        foreach (string text in File.ReadLines(manifest))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var o = doc.RootElement;
                string? Field(string name) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v)
                    ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : null
                    : null;
                result.Add(Row(manifest, line, Field("path"), Field("label"), Field("split")));
            }
            catch (JsonException e)
            {
                throw new NasOnnxException($"the manifest {manifest}, line {line}, is not JSON ({e.Message})",
                    "write one object a line: {\"path\": \"cats/1.png\", \"label\": \"cat\"}") { FilePath = manifest };
            }
        }
        return result;
    }

    private static ManifestRow Row(string manifest, int line, string? path, string? label, string? split)
    {
        if (string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(label))
            throw new NasOnnxException($"the manifest {manifest}, line {line}, lacks a path or a label", "give every line a path and a label") { FilePath = manifest };
        var kind = split?.Trim().ToLowerInvariant() switch
        {
            null or "" or "train" => ImageSplit.Train,
            "val" or "validation" => ImageSplit.Validation,
            "test" => ImageSplit.Test,
            _ => throw new NasOnnxException($"the manifest {manifest}, line {line}, has split '{split}'", "use train, val or test") { FilePath = manifest },
        };
        return new ManifestRow(line, path.Trim(), label.Trim(), kind);
    }
}

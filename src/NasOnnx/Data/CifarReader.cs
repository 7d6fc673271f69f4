namespace NasOnnx.Data;

/// <summary>
/// Reads CIFAR binary batches. CIFAR-10 records are 1 label byte + 3072 pixel bytes (32x32, R then G
/// then B planes: already CHW); CIFAR-100 records are coarse label + fine label + 3072 bytes, and
/// the fine label is used.
/// </summary>
public static class CifarReader
{
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>Reads and concatenates one or more batch files of the same variant.</summary>
    public static Dataset Read(string name, IReadOnlyList<string> files, bool cifar100, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("no CIFAR batch files given", nameof(files));
        int labelBytes = cifar100 ? 2 : 1;
        int record = labelBytes + ImageBytes;
        string variant = cifar100 ? "CIFAR-100" : "CIFAR-10";

        var lengths = new long[files.Count];
        long total = 0;
        for (int f = 0; f < files.Count; f++)
        {
            string path = files[f];
            if (!File.Exists(path))
                throw new NasOnnxException($"data file not found: {path}",
                    $"Check the path, or copy the {variant} binary batches into the data folder.") { FilePath = path };
            long len = new FileInfo(path).Length;
            if (len == 0 || len % record != 0)
            {
                string hint = len >= 2 && DataFile.IsGzip(path)
                    ? "The file is gzip-compressed: extract the archive (tar xzf) and point at the .bin files inside it."
                    : $"The file is truncated or is not a {variant} binary batch: re-download the dataset (use the binary version, not the Python or MATLAB one).";
                throw new NasOnnxException(
                    $"{path} is {len} bytes, not a whole number of {variant} records ({record} bytes each: {labelBytes} label byte{(labelBytes > 1 ? "s" : "")} + {ImageBytes} pixels)",
                    hint) { FilePath = path };
            }
            lengths[f] = len;
            total += len / record;
        }
        if (total * ImageBytes > Array.MaxLength) throw new NasOnnxException($"the {variant} files hold too many images ({total})");

        var pixels = new byte[total * ImageBytes];
        var labels = new byte[total];
        int item = 0;
        int classes = classNames.Count;
        const int recordsPerChunk = 1024;
        var chunk = new byte[record * recordsPerChunk];
        for (int f = 0; f < files.Count; f++)
        {
            string path = files[f];
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            long remaining = lengths[f] / record;
            int fileItem = 0;
            while (remaining > 0)
            {
                int take = (int)Math.Min(remaining, recordsPerChunk);
                int want = take * record;
                int got = fs.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (got < want)
                    throw new NasOnnxException($"{path} became shorter while it was read", DataFile.RedownloadFix) { FilePath = path };
                for (int r = 0; r < take; r++)
                {
                    int o = r * record;
                    byte label = chunk[o + labelBytes - 1];
                    if (cifar100 && chunk[o] >= 20)
                        throw LabelError(path, fileItem, chunk[o], 20, "coarse ");
                    if (label >= classes)
                        throw LabelError(path, fileItem, label, classes, cifar100 ? "fine " : "");
                    labels[item] = label;
                    chunk.AsSpan(o + labelBytes, ImageBytes).CopyTo(pixels.AsSpan(item * ImageBytes, ImageBytes));
                    item++;
                    fileItem++;
                }
                remaining -= take;
            }
        }
        return new Dataset(name, 3, 32, 32, pixels, labels, classNames);
    }

    private static NasOnnxException LabelError(string path, int item, int label, int classes, string kind) =>
        new($"{path}: {kind}label {label} of record {item} is out of range (expected 0..{classes - 1})",
            "Check that the file is a batch of the dataset named in the pipeline file (CIFAR-10 and CIFAR-100 batches differ); re-download it if it is.")
        { FilePath = path };
}

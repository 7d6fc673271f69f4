namespace NasOnnx.Data;

/// <summary>
/// Reads IDX files (MNIST, Fashion-MNIST): big-endian header with magic 0x00000803 for images
/// (count, rows, cols) and 0x00000801 for labels (count), then unsigned bytes. Gzipped or plain.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Images as read from an IDX3 file: Count*Rows*Cols bytes, row-major.</summary>
    public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels);

    /// <summary>
    /// Reads an images file. When <paramref name="expectedRows"/>/<paramref name="expectedCols"/> are
    /// given, another image size is an error.
    /// </summary>
    public static IdxImages ReadImages(string path, int? expectedRows = null, int? expectedCols = null)
    {
        using var s = DataFile.Open(path, out bool gzip);
        int[] dims = ReadHeader(s, path, gzip, ImagesMagic, 3);
        int count = dims[0], rows = dims[1], cols = dims[2];
        if ((expectedRows is int er && rows != er) || (expectedCols is int ec && cols != ec))
            throw new NasOnnxException(
                $"{path} holds {rows}x{cols} images but {expectedRows ?? rows}x{expectedCols ?? cols} were expected",
                "Check that the file belongs to the dataset named in the pipeline file (e.g. MNIST/Fashion-MNIST are 28x28).")
            { FilePath = path };
        long size = (long)count * rows * cols;
        if (size > Array.MaxLength)
            throw new NasOnnxException($"{path} says it holds {count} images of {rows}x{cols}, too large to be a real IDX file",
                DataFile.RedownloadFix) { FilePath = path };
        byte[] pixels = ReadBody(s, path, gzip, (int)size, 16, $"{count} images of {rows}x{cols}");
        return new IdxImages(count, rows, cols, pixels);
    }

    /// <summary>Reads a labels file; labels must be in [0, classes).</summary>
    public static byte[] ReadLabels(string path, int classes)
    {
        using var s = DataFile.Open(path, out bool gzip);
        int count = ReadHeader(s, path, gzip, LabelsMagic, 1)[0];
        byte[] labels = ReadBody(s, path, gzip, count, 8, $"{count} labels");
        CheckLabels(labels, classes, path);
        return labels;
    }

    /// <summary>Reads an images file and its labels file into a <see cref="Dataset"/> of 1 channel.</summary>
    public static Dataset ReadDataset(string name, string imagesPath, string labelsPath, int height, int width, IReadOnlyList<string> classNames)
    {
        IdxImages images = ReadImages(imagesPath, height, width);
        byte[] labels = ReadLabels(labelsPath, classNames.Count);
        if (images.Count != labels.Length)
            throw new NasOnnxException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels",
                "The images and labels files must belong together (train-images with train-labels, t10k-images with t10k-labels); re-download them if they do.")
            { FilePath = imagesPath };
        return new Dataset(name, 1, images.Rows, images.Cols, images.Pixels, labels, classNames);
    }

    internal static void CheckLabels(ReadOnlySpan<byte> labels, int classes, string path, int stride = 1, int offset = 0)
    {
        for (int i = offset; i < labels.Length; i += stride)
        {
            if (labels[i] >= classes)
                throw new NasOnnxException(
                    $"{path}: label {labels[i]} of item {(i - offset) / stride} is out of range (this dataset has {classes} classes, labels 0..{classes - 1})",
                    "Check that the file belongs to the dataset named in the pipeline file; re-download it if it does.")
                { FilePath = path };
        }
    }

    private static int[] ReadHeader(Stream s, string path, bool gzip, int expectedMagic, int expectedDims)
    {
        Span<byte> head = stackalloc byte[4 + 4 * 3];
        int n = DataFile.ReadUpTo(s, head[..4], path, gzip);
        if (n < 4)
            throw Truncated(path, gzip, $"the header is cut off ({n} of 4 magic bytes)");
        int magic = head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3];
        if (magic != expectedMagic)
        {
            string what = expectedMagic == ImagesMagic ? "an IDX images file (magic 0x00000803)" : "an IDX labels file (magic 0x00000801)";
            string fix = (expectedMagic, magic) switch
            {
                (ImagesMagic, LabelsMagic) => "This is a labels file: check you passed the images file (…-images-idx3-ubyte), not the labels file.",
                (LabelsMagic, ImagesMagic) => "This is an images file: check you passed the labels file (…-labels-idx1-ubyte), not the images file.",
                _ => "The file is not an IDX file or is damaged: check the path and re-download the dataset.",
            };
            throw new NasOnnxException($"{path} is not {what}: its magic number is 0x{magic:X8}", fix) { FilePath = path };
        }
        int dimsLen = 4 * expectedDims;
        n = DataFile.ReadUpTo(s, head.Slice(4, dimsLen), path, gzip);
        if (n < dimsLen)
            throw Truncated(path, gzip, $"the header is cut off ({4 + n} of {4 + dimsLen} bytes)");
        var dims = new int[expectedDims];
        for (int i = 0; i < expectedDims; i++)
        {
            int o = 4 + 4 * i;
            dims[i] = head[o] << 24 | head[o + 1] << 16 | head[o + 2] << 8 | head[o + 3];
            if (dims[i] < 0 || (i > 0 && dims[i] == 0))
                throw new NasOnnxException($"{path} has an invalid header: dimension {i} is {dims[i]}", DataFile.RedownloadFix) { FilePath = path };
        }
        return dims;
    }

    private static byte[] ReadBody(Stream s, string path, bool gzip, int size, int headerSize, string what)
    {
        var body = new byte[size];
        int n = DataFile.ReadUpTo(s, body, path, gzip);
        if (n < size)
            throw Truncated(path, gzip, $"the header promises {what} ({size} bytes) but only {n} bytes follow it");
        Span<byte> extra = stackalloc byte[1];
        if (DataFile.ReadUpTo(s, extra, path, gzip) != 0)
            throw new NasOnnxException($"{path} is longer than its header says ({what}): unexpected data after the last item",
                "Check that the file is an unmodified IDX file; re-download it.") { FilePath = path };
        if (gzip) DataFile.VerifyGzipTrailer(path, (long)headerSize + size);
        return body;
    }

    private static NasOnnxException Truncated(string path, bool gzip, string detail) =>
        new($"{path} is truncated{(gzip ? " (the gzip stream ends early)" : "")}: {detail}", DataFile.RedownloadFix) { FilePath = path };
}

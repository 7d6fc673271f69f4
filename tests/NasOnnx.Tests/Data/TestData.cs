using System.IO.Compression;

namespace NasOnnx.Tests.Data;

/// <summary>Generates small IDX and CIFAR files into a temporary folder that is deleted on Dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nasonnx-data-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string p = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

public static class TestData
{
    public static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    /// <summary>Image i has pixel p = (i * 7 + p) mod 256.</summary>
    public static byte[] Pixels(int count, int rows, int cols)
    {
        var px = new byte[count * rows * cols];
        for (int i = 0; i < count; i++)
            for (int p = 0; p < rows * cols; p++) px[i * rows * cols + p] = (byte)((i * 7 + p) % 256);
        return px;
    }

    public static byte[] Labels(int count, int classes = 10) => Enumerable.Range(0, count).Select(i => (byte)(i % classes)).ToArray();

    public static byte[] IdxImages(int count, int rows, int cols, byte[]? pixels = null) =>
        [.. BigEndian(0x803), .. BigEndian(count), .. BigEndian(rows), .. BigEndian(cols), .. pixels ?? Pixels(count, rows, cols)];

    public static byte[] IdxLabels(byte[] labels) => [.. BigEndian(0x801), .. BigEndian(labels.Length), .. labels];

    public static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Writes the four Fashion-MNIST-named IDX files (28x28) into a folder.</summary>
    public static void WriteFashionFiles(string folder, int train = 30, int test = 10, bool gzip = true)
    {
        Directory.CreateDirectory(folder);
        string ext = gzip ? ".gz" : "";
        byte[] G(byte[] b) => gzip ? Gzip(b) : b;
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte" + ext), G(IdxImages(train, 28, 28)));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte" + ext), G(IdxLabels(Labels(train))));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte" + ext), G(IdxImages(test, 28, 28)));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte" + ext), G(IdxLabels(Labels(test))));
    }

    /// <summary>CIFAR records: label byte(s) then 3072 pixels; record i's pixels are (i + p) mod 256.</summary>
    public static byte[] Cifar(int count, bool cifar100, int firstLabel = 0, int classes = 10)
    {
        int lb = cifar100 ? 2 : 1, rec = lb + 3072;
        var b = new byte[count * rec];
        for (int i = 0; i < count; i++)
        {
            int o = i * rec;
            if (cifar100) { b[o] = (byte)((firstLabel + i) % 20); b[o + 1] = (byte)((firstLabel + i) % classes); }
            else b[o] = (byte)((firstLabel + i) % classes);
            for (int p = 0; p < 3072; p++) b[o + lb + p] = (byte)((i + p) % 256);
        }
        return b;
    }

    /// <summary>A small in-memory dataset: image i is filled with value i mod 256, label i mod classes.</summary>
    public static NasOnnx.Data.Dataset Small(int count, int channels = 1, int h = 4, int w = 4, int classes = 10)
    {
        int size = channels * h * w;
        var px = new byte[count * size];
        for (int i = 0; i < count; i++) px.AsSpan(i * size, size).Fill((byte)(i % 256));
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % classes)).ToArray();
        return new NasOnnx.Data.Dataset("small", channels, h, w, px, labels, Enumerable.Range(0, classes).Select(c => c.ToString()).ToArray());
    }
}

using NasOnnx.Data;
using static NasOnnx.Tests.Data.TestData;

namespace NasOnnx.Tests.Data;

public class IdxReaderTests
{
    private static NasOnnxException Fails(Action a) => Assert.Throws<NasOnnxException>(a);

    [Fact]
    public void Reads_plain_and_gzip_detecting_gzip_by_magic_not_extension()
    {
        using var t = new TempDir();
        byte[] idx = IdxImages(5, 28, 28);
        // gzip content under a plain name, and plain content under a .gz name
        string gzNoExt = t.Write("images", Gzip(idx));
        string plainGzExt = t.Write("images.gz", idx);
        var a = IdxReader.ReadImages(gzNoExt, 28, 28);
        var b = IdxReader.ReadImages(plainGzExt, 28, 28);
        Assert.Equal(5, a.Count);
        Assert.Equal(28, a.Rows);
        Assert.Equal(Pixels(5, 28, 28), a.Pixels);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.True(DataFile.IsGzip(gzNoExt));
        Assert.False(DataFile.IsGzip(plainGzExt));
    }

    [Fact]
    public void Reads_a_dataset_of_images_and_labels()
    {
        using var t = new TempDir();
        string img = t.Write("i.gz", Gzip(IdxImages(12, 28, 28)));
        string lab = t.Write("l", IdxLabels(Labels(12)));
        var ds = IdxReader.ReadDataset("x", img, lab, 28, 28, DatasetCatalog.FashionMnist.ClassNames);
        Assert.Equal(12, ds.Count);
        Assert.Equal((1, 28, 28, 10), (ds.Channels, ds.Height, ds.Width, ds.Classes));
        Assert.Equal(Labels(12), ds.Labels);
        Assert.Equal(Pixels(12, 28, 28).AsSpan(28 * 28 * 3, 784).ToArray(), ds.Image(3).ToArray());
    }

    [Fact]
    public void Missing_file_names_the_file()
    {
        using var t = new TempDir();
        var e = Fails(() => IdxReader.ReadImages(t.File("nope-idx3-ubyte.gz")));
        Assert.Contains("not found", e.Message);
        Assert.Contains("nope-idx3-ubyte.gz", e.Describe());
        Assert.Equal(t.File("nope-idx3-ubyte.gz"), e.FilePath);
        Assert.NotNull(e.Fix);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_header_is_reported(bool gzip)
    {
        using var t = new TempDir();
        byte[] head = IdxImages(2, 28, 28)[..10];
        string p = t.Write("img", gzip ? Gzip(head) : head);
        var e = Fails(() => IdxReader.ReadImages(p));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("header", e.Message);
        Assert.Contains(p, e.Message);
        Assert.Contains("download", e.Fix);
    }

    [Fact]
    public void Body_shorter_than_header_says_is_truncated()
    {
        using var t = new TempDir();
        byte[] full = IdxImages(3, 28, 28);
        string p = t.Write("img", full[..^100]);
        var e = Fails(() => IdxReader.ReadImages(p, 28, 28));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("3 images of 28x28", e.Message);
        Assert.Equal(p, e.FilePath);

        string l = t.Write("lab", IdxLabels(Labels(10))[..^3]);
        var e2 = Fails(() => IdxReader.ReadLabels(l, 10));
        Assert.Contains("truncated", e2.Message);
        Assert.Contains("10 labels", e2.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        using var t = new TempDir();
        byte[] gz = Gzip(IdxImages(20, 28, 28));
        string mid = t.Write("mid.gz", gz[..(gz.Length / 2)]);
        var e = Fails(() => IdxReader.ReadImages(mid));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("gzip", e.Message);
        Assert.Contains(mid, e.Message);

        // Only the gzip trailer cut: .NET decompresses everything without complaint, the trailer check catches it.
        string tail = t.Write("tail.gz", gz[..^3]);
        var e2 = Fails(() => IdxReader.ReadImages(tail));
        Assert.Contains("gzip", e2.Message);
        Assert.Contains("truncated", e2.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_reported()
    {
        using var t = new TempDir();
        byte[] gz = Gzip(IdxImages(20, 28, 28));
        for (int i = 20; i < 60; i++) gz[i] = 0xFF;
        string p = t.Write("bad.gz", gz);
        var e = Fails(() => IdxReader.ReadImages(p));
        Assert.Contains(p, e.Message);
        Assert.Equal(p, e.FilePath);
    }

    [Fact]
    public void Labels_file_passed_as_images_says_so()
    {
        using var t = new TempDir();
        string l = t.Write("train-labels-idx1-ubyte.gz", Gzip(IdxLabels(Labels(5))));
        var e = Fails(() => IdxReader.ReadImages(l));
        Assert.Contains("magic number is 0x00000801", e.Message);
        Assert.Contains("labels file", e.Fix);
        Assert.Contains("images file", e.Fix);

        string i = t.Write("train-images-idx3-ubyte.gz", Gzip(IdxImages(5, 28, 28)));
        var e2 = Fails(() => IdxReader.ReadLabels(i, 10));
        Assert.Contains("images file", e2.Fix);
    }

    [Fact]
    public void Wrong_magic_number_is_reported()
    {
        using var t = new TempDir();
        string p = t.Write("x", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var e = Fails(() => IdxReader.ReadImages(p));
        Assert.Contains("not an IDX images file", e.Message);
        Assert.Contains("0x89504E47", e.Message);
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_names_both_files()
    {
        using var t = new TempDir();
        string img = t.Write("img", IdxImages(6, 28, 28));
        string lab = t.Write("lab", IdxLabels(Labels(5)));
        var e = Fails(() => IdxReader.ReadDataset("x", img, lab, 28, 28, DatasetCatalog.Mnist.ClassNames));
        Assert.Contains("6 images", e.Message);
        Assert.Contains("5 labels", e.Message);
        Assert.Contains(img, e.Message);
        Assert.Contains(lab, e.Message);
    }

    [Fact]
    public void Label_out_of_range_is_reported()
    {
        using var t = new TempDir();
        byte[] labels = Labels(8);
        labels[5] = 10;
        string lab = t.Write("lab.gz", Gzip(IdxLabels(labels)));
        var e = Fails(() => IdxReader.ReadLabels(lab, 10));
        Assert.Contains("label 10 of item 5 is out of range", e.Message);
        Assert.Contains(lab, e.Message);
    }

    [Fact]
    public void Wrong_image_size_is_reported()
    {
        using var t = new TempDir();
        string p = t.Write("img.gz", Gzip(IdxImages(2, 32, 32)));
        var e = Fails(() => IdxReader.ReadImages(p, 28, 28));
        Assert.Contains("32x32", e.Message);
        Assert.Contains("28x28", e.Message);
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Data_after_the_last_item_is_reported()
    {
        using var t = new TempDir();
        string p = t.Write("img", [.. IdxImages(2, 28, 28), 1, 2, 3]);
        var e = Fails(() => IdxReader.ReadImages(p, 28, 28));
        Assert.Contains("longer than its header says", e.Message);
    }
}

using NasOnnx.Data;
using static NasOnnx.Tests.Data.TestData;

namespace NasOnnx.Tests.Data;

public class CifarReaderTests
{
    [Fact]
    public void Reads_cifar10_batches_in_order_keeping_chw_layout()
    {
        using var t = new TempDir();
        string a = t.Write("data_batch_1.bin", Cifar(3, cifar100: false));
        string b = t.Write("data_batch_2.bin", Cifar(2, cifar100: false, firstLabel: 7));
        var ds = CifarReader.Read("c10", [a, b], cifar100: false, DatasetCatalog.Cifar10.ClassNames);
        Assert.Equal(5, ds.Count);
        Assert.Equal((3, 32, 32, 10), (ds.Channels, ds.Height, ds.Width, ds.Classes));
        Assert.Equal(new byte[] { 0, 1, 2, 7, 8 }, ds.Labels);
        var img = ds.Image(4).ToArray(); // record 1 of file b: pixels (1 + p) % 256
        Assert.Equal(3072, img.Length);
        Assert.Equal(1, img[0]);
        Assert.Equal((1 + 1024) % 256, img[1024]); // first green value
        Assert.Equal((1 + 3071) % 256, img[3071]);
    }

    [Fact]
    public void Cifar100_uses_the_fine_label()
    {
        using var t = new TempDir();
        string p = t.Write("train.bin", Cifar(4, cifar100: true, firstLabel: 50, classes: 100));
        var ds = CifarReader.Read("c100", [p], cifar100: true, DatasetCatalog.Cifar100.ClassNames);
        Assert.Equal(100, ds.Classes);
        Assert.Equal(new byte[] { 50, 51, 52, 53 }, ds.Labels);
        Assert.Equal(0, ds.Image(0)[0]);
        Assert.Equal(3, ds.Image(3)[0]);
    }

    [Fact]
    public void Length_not_a_multiple_of_the_record_is_reported()
    {
        using var t = new TempDir();
        string p = t.Write("data_batch_1.bin", Cifar(3, cifar100: false)[..^10]);
        var e = Assert.Throws<NasOnnxException>(() => CifarReader.Read("c10", [p], false, DatasetCatalog.Cifar10.ClassNames));
        Assert.Contains("not a whole number of CIFAR-10 records", e.Message);
        Assert.Contains("3073", e.Message);
        Assert.Contains(p, e.Message);
        Assert.Contains("re-download", e.Fix);
    }

    [Fact]
    public void Cifar100_file_read_as_cifar10_is_rejected()
    {
        using var t = new TempDir();
        string p = t.Write("train.bin", Cifar(5, cifar100: true, classes: 100));
        Assert.Throws<NasOnnxException>(() => CifarReader.Read("c10", [p], false, DatasetCatalog.Cifar10.ClassNames));
    }

    [Fact]
    public void Gzipped_archive_gets_an_extract_hint()
    {
        using var t = new TempDir();
        string p = t.Write("cifar-10-binary.tar.gz", Gzip(Cifar(2, false)));
        var e = Assert.Throws<NasOnnxException>(() => CifarReader.Read("c10", [p], false, DatasetCatalog.Cifar10.ClassNames));
        Assert.Contains("extract", e.Fix);
    }

    [Fact]
    public void Label_out_of_range_is_reported()
    {
        using var t = new TempDir();
        byte[] data = Cifar(3, false);
        data[3073 * 2] = 12;
        string p = t.Write("test_batch.bin", data);
        var e = Assert.Throws<NasOnnxException>(() => CifarReader.Read("c10", [p], false, DatasetCatalog.Cifar10.ClassNames));
        Assert.Contains("label 12 of record 2 is out of range", e.Message);
        Assert.Equal(p, e.FilePath);
    }

    [Fact]
    public void Missing_and_empty_files_are_reported()
    {
        using var t = new TempDir();
        var e = Assert.Throws<NasOnnxException>(() => CifarReader.Read("c", [t.File("test.bin")], true, DatasetCatalog.Cifar100.ClassNames));
        Assert.Contains("not found", e.Message);
        Assert.Contains("test.bin", e.Message);
        string empty = t.Write("empty.bin", []);
        var e2 = Assert.Throws<NasOnnxException>(() => CifarReader.Read("c", [empty], true, DatasetCatalog.Cifar100.ClassNames));
        Assert.Contains("0 bytes", e2.Message);
    }
}

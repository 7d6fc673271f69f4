using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class DatasetCatalogTests
{
    [Fact]
    public void Knows_the_four_datasets_with_fashion_mnist_as_default()
    {
        Assert.Equal(["fashion-mnist", "mnist", "cifar10", "cifar100"], DatasetCatalog.Names);
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Get(null));
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Get("Fashion_MNIST"));
        Assert.Same(DatasetCatalog.Cifar10, DatasetCatalog.Get("CIFAR-10"));
        var e = Assert.Throws<NasOnnxException>(() => DatasetCatalog.Get("imagenet"));
        Assert.Contains("fashion-mnist", e.Fix);
    }

    [Theory]
    [InlineData("fashion-mnist", 1, 28, 10, 4)]
    [InlineData("mnist", 1, 28, 10, 4)]
    [InlineData("cifar10", 3, 32, 10, 6)]
    [InlineData("cifar100", 3, 32, 100, 2)]
    public void Entries_are_consistent(string name, int channels, int size, int classes, int files)
    {
        var d = DatasetCatalog.Get(name);
        Assert.Equal((channels, size, size, classes), (d.Channels, d.Height, d.Width, d.Classes));
        Assert.Equal(classes, d.ClassNames.Distinct().Count());
        Assert.Equal(files, d.AllFiles.Count());
        Assert.Equal(channels, d.Normalization.Channels);
        Assert.False(string.IsNullOrWhiteSpace(d.ManualSource));
    }

    [Fact]
    public void Fashion_mnist_downloads_from_the_official_location_with_checksums()
    {
        var d = DatasetCatalog.FashionMnist;
        Assert.Equal("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", d.DownloadBaseUrl!.AbsoluteUri);
        Assert.Equal(d.AllFiles.Order(), d.DownloadFiles.Select(f => f.Name).Order());
        Assert.All(d.DownloadFiles, f => Assert.Matches("^[0-9a-f]{32}$", f.Md5));
        Assert.Contains("/usr/share/datasets/fashion-mnist", d.SystemFolders);
        Assert.Contains("apt-get install dataset-fashion-mnist", d.ManualSource);
    }
}

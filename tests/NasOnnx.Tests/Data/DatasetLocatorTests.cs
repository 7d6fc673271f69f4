using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

public class DatasetLocatorTests
{
    private static readonly DatasetInfo Fashion = DatasetCatalog.FashionMnist;

    [Fact]
    public void Explicit_path_is_used_first()
    {
        using var t = new TempDir();
        string mine = t.File("mine");
        TestData.WriteFashionFiles(mine);
        TestData.WriteFashionFiles(Path.Combine(t.Path, "data", "fashion-mnist"));
        var loc = DatasetLocator.Locate(Fashion, "mine", t.Path, systemFolders: []);
        Assert.Equal(DatasetSource.Explicit, loc.Source);
        Assert.Equal(mine, loc.Folder);
        Assert.Equal([mine], loc.Searched);
        var pair = DatasetLoader.Load(loc);
        Assert.Equal(30, pair.Train.Count);
        Assert.Equal(10, pair.Test.Count);
    }

    [Fact]
    public void Explicit_path_without_the_files_is_an_error_naming_it()
    {
        using var t = new TempDir();
        string mine = t.File("mine");
        Directory.CreateDirectory(mine);
        File.WriteAllBytes(Path.Combine(mine, "train-images-idx3-ubyte.gz"), TestData.Gzip(TestData.IdxImages(1, 28, 28)));
        TestData.WriteFashionFiles(Path.Combine(t.Path, "data", "fashion-mnist"));
        var e = Assert.Throws<NasOnnxException>(() => DatasetLocator.Locate(Fashion, mine, t.Path, systemFolders: []));
        Assert.Contains(mine, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.DoesNotContain("train-images", e.Message);
        Assert.Equal(mine, e.FilePath);

        var e2 = Assert.Throws<NasOnnxException>(() => DatasetLocator.Locate(Fashion, t.File("absent"), t.Path, systemFolders: []));
        Assert.Contains("does not exist", e2.Message);
    }

    [Fact]
    public void Repository_data_folder_then_system_folder()
    {
        using var t = new TempDir();
        string sys = t.File("usr-share");
        TestData.WriteFashionFiles(sys, gzip: false); // plain names are accepted too
        string repo = t.File("repo");
        var loc = DatasetLocator.Locate(Fashion, null, repo, systemFolders: [t.File("nothing"), sys]);
        Assert.Equal(DatasetSource.System, loc.Source);
        Assert.Equal(sys, loc.Folder);
        Assert.Equal([Path.Combine(repo, "data", "fashion-mnist"), t.File("nothing"), sys], loc.Searched);
        Assert.EndsWith("train-images-idx3-ubyte", loc.TrainFiles[0]);

        TestData.WriteFashionFiles(Path.Combine(repo, "data", "fashion-mnist"));
        var loc2 = DatasetLocator.Locate(Fashion, null, repo, systemFolders: [sys]);
        Assert.Equal(DatasetSource.Repository, loc2.Source);
        Assert.Single(loc2.Searched);
    }

    [Fact]
    public void Nothing_found_lists_the_searched_folders()
    {
        using var t = new TempDir();
        var loc = DatasetLocator.Locate(Fashion, null, t.Path, systemFolders: [t.File("sys")]);
        Assert.False(loc.Found);
        Assert.Equal(DatasetSource.None, loc.Source);
        Assert.Equal(2, loc.Searched.Count);
        var e = Assert.Throws<NasOnnxException>(() => DatasetLoader.Load(loc));
        Assert.Contains(t.File("sys"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Fix);
    }

    [Fact]
    public void Cifar_files_are_found_in_the_extracted_archive_folder()
    {
        using var t = new TempDir();
        string dir = Path.Combine(t.Path, "data", "cifar10", "cifar-10-batches-bin");
        foreach (var f in DatasetCatalog.Cifar10.AllFiles) t.Write(Path.Combine(dir, f), TestData.Cifar(2, false));
        var loc = DatasetLocator.Locate(DatasetCatalog.Cifar10, null, t.Path);
        Assert.Equal(dir, loc.Folder);
        var pair = DatasetLoader.Load(loc);
        Assert.Equal(10, pair.Train.Count);
        Assert.Equal(2, pair.Test.Count);
        Assert.Equal("cifar10/train", pair.Train.Name);
    }

    [SkippableFact]
    public void Debian_fashion_mnist_package_if_installed_loads_and_matches_the_constants()
    {
        // Runs where `apt-get install dataset-fashion-mnist` was done; elsewhere there is nothing to check.
        Skip.IfNot(File.Exists(Path.Combine(DatasetCatalog.DebianFashionMnistFolder, "train-images-idx3-ubyte.gz")),
            $"the Debian package dataset-fashion-mnist is not installed ({DatasetCatalog.DebianFashionMnistFolder})");
        using var t = new TempDir();
        var loc = DatasetLocator.Locate(Fashion, null, t.Path);
        var pair = DatasetLoader.Load(loc);
        Assert.Equal(DatasetSource.System, loc.Source);
        Assert.Equal(60000, pair.Train.Count);
        Assert.Equal(10000, pair.Test.Count);
        Assert.All(pair.Train.ClassCounts(), c => Assert.Equal(6000, c));
        // how fast it loads is not asserted here: wall-clock limits fail on a loaded shared machine
        var n = Normalization.Compute(pair.Train);
        Assert.Equal(Normalization.FashionMnist.Mean[0], n.Mean[0], 4);
        Assert.Equal(Normalization.FashionMnist.Std[0], n.Std[0], 4);
    }
}

using NasOnnx.Cli;
using NasOnnx.Cli.Commands;
using NasOnnx.Data;
using NasOnnx.Tests.Pipeline;
using Spectre.Console.Testing;

namespace NasOnnx.Tests.Cli;

/// <summary>`nasonnx images`: a binary dataset written as a PNG folder holds exactly the same pixels, class by class.</summary>
public class ImagesCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        int code = NasOnnxCli.Run(args, console);
        return (code, console.Output);
    }

    [Fact]
    public void Writes_each_image_into_its_class_folder_losslessly()
    {
        LearnableData.Write(_dir["idx"], train: 60, test: 20);
        var (code, output) = Run("images", "fashion-mnist", "--path", _dir["idx"], "--out", _dir["png"], "--limit", "40");
        Assert.True(code == 0, output);

        var info = DatasetCatalog.FashionMnist;
        var train = IdxReader.ReadDataset("t", _dir["idx/train-images-idx3-ubyte.gz"], _dir["idx/train-labels-idx1-ubyte.gz"], 28, 28, info.ClassNames);
        var written = Directory.GetFiles(_dir["png/train"], "*.png", SearchOption.AllDirectories);
        Assert.Equal(40, written.Length);
        Assert.Equal(20, Directory.GetFiles(_dir["png/test"], "*.png", SearchOption.AllDirectories).Length);
        foreach (var file in written.Take(10))
        {
            int index = int.Parse(Path.GetFileNameWithoutExtension(file), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(ImagesCommand.FolderName(info.ClassNames[train.Labels[index]]), Path.GetFileName(Path.GetDirectoryName(file)));
            Assert.Equal(train.Image(index).ToArray(), ImageDecoder.LoadChw(file, 28, 1));
        }
    }

    [Fact]
    public void Refuses_an_existing_output_folder()
    {
        Directory.CreateDirectory(_dir["png"]);
        var (code, output) = Run("images", "fashion-mnist", "--out", _dir["png"]);
        Assert.NotEqual(0, code);
        Assert.Contains("exists already", output);
    }
}

using NasOnnx.Cli;
using Spectre.Console.Testing;

namespace NasOnnx.Tests.Cli;

[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class BenchTrainCommandTests
{
    [Fact]
    public void Bench_train_reports_step_time_images_per_second_and_peak_rss()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 200;
        int code = NasOnnxCli.Run(["bench", "train", "--width", "4", "--batch", "8", "--threads", "1", "--steps", "3", "--warmup", "1", "--rounds", "1"], console);
        Assert.True(code == 0, console.Output);
        Assert.Matches(@"nasonnx train step \((channels-last|NCHW), the layout training uses here\): [0-9.]+ ms/step, [0-9]+ images/s, peak RSS [0-9]+ MB", console.Output);
    }

    [Fact]
    public void Bench_train_times_an_architecture_file_in_both_layouts_side_by_side()
    {
        using var dir = new TempDir();
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 200;
        Assert.Equal(0, NasOnnxCli.Run(["sample", "--space", "chain", "--width", "4", "--depth", "1", "--seed", "3", "--out", dir["chain.json"]], console));
        int code = NasOnnxCli.Run(["bench", "train", "--arch", dir["chain.json"], "--layout", "both", "--batch", "4", "--threads", "1", "--steps", "2", "--warmup", "1", "--rounds", "1"], console);
        Assert.True(code == 0, console.Output);
        Assert.Contains("chain architecture chain.json", console.Output);
        Assert.Matches(@"round 1 TorchSharp NCHW: [0-9.]+ ms/step", console.Output);
        Assert.Matches(@"round 1 TorchSharp channels-last: [0-9.]+ ms/step", console.Output);
        Assert.Matches(@"TorchSharp time per step channels-last/NCHW: [0-9.]+", console.Output);
    }

    [Fact]
    public void Bench_train_rejects_bad_options()
    {
        var console = new TestConsole();
        Assert.Equal(NasOnnxCli.ExitUsage, NasOnnxCli.Run(["bench", "train", "--batch", "0"], console));
        Assert.Equal(NasOnnxCli.ExitUsage, NasOnnxCli.Run(["bench", "train", "--layout", "sideways"], console));
    }
}

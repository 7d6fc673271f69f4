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
        Assert.Matches(@"nasonnx train step: [0-9.]+ ms/step, [0-9]+ images/s, peak RSS [0-9]+ MB", console.Output);
    }

    [Fact]
    public void Bench_train_rejects_bad_options()
    {
        var console = new TestConsole();
        Assert.Equal(NasOnnxCli.ExitUsage, NasOnnxCli.Run(["bench", "train", "--batch", "0"], console));
    }
}

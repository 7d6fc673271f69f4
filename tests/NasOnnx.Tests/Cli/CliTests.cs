using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using NasOnnx.Cli;
using NasOnnx.Tests.Pipeline;
using Spectre.Console.Testing;
using TorchSharp;

namespace NasOnnx.Tests.Cli;

public class CliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs the CLI in-process with a wide test console (other CLI tests share it).</summary>
    internal static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        int code = NasOnnxCli.Run(args, console);
        return (code, console.Output);
    }

    /// <summary>The doctor's table has a row whose two cells are exactly <paramref name="check"/> and <paramref name="value"/>.</summary>
    private static void AssertRow(string output, string check, string value)
    {
        var rows = output.Split('\n').Select(line => line.Split('│', '|').Select(c => c.Trim()).Where(c => c.Length > 0).ToArray()).ToList();
        Assert.True(rows.Any(cells => cells.SequenceEqual([check, value])), $"no row '{check} | {value}' in:\n{output}");
    }

    /// <summary>--json output is written raw: a narrow console (a pipe gets 80 columns) must not wrap it into invalid JSON.</summary>
    [Fact]
    public void Inspect_json_stays_valid_json_on_a_narrow_console()
    {
        string model = Path.Combine(ModelZooTests.ModelsDir, "text-imdb-cnn", "model.onnx");
        var console = new TestConsole();
        console.Profile.Width = 40;
        Assert.Equal(0, NasOnnxCli.Run(["inspect", model, "--json"], console));
        using var json = System.Text.Json.JsonDocument.Parse(console.Output);
        Assert.Equal(1_342_146, json.RootElement.GetProperty("parameters").GetInt64());
    }

    /// <summary>Every command's help renders: option descriptions are Spectre markup, so an unescaped "[batch, ...]" in one
    /// crashed `bench latency --help`.</summary>
    [Theory]
    [InlineData("run")]
    [InlineData("doctor")]
    [InlineData("stages")]
    [InlineData("sample")]
    [InlineData("export")]
    [InlineData("inspect")]
    [InlineData("predict")]
    [InlineData("publish")]
    [InlineData("card")]
    [InlineData("images")]
    [InlineData("bench", "train")]
    [InlineData("bench", "latency")]
    [InlineData("bench", "numerics")]
    [InlineData("bench", "data")]
    [InlineData("bench", "search")]
    public void Help_renders_for_every_command(params string[] command)
    {
        var (code, output) = Run([.. command, "--help"]);
        Assert.True(code == 0, output);
        Assert.Contains("USAGE:", output);
        Assert.DoesNotContain("bug in NasOnnx", output);
    }

    [Fact]
    public void Doctor_reports_torch_onnxruntime_threads_and_datasets()
    {
        var (code, output) = Run("doctor", "--root", _dir.Path);
        Assert.Equal(0, code);
        // The versions this process actually loaded, read the way any caller can, each in its own row.
        var torchSharp = typeof(torch).Assembly;
        AssertRow(output, "TorchSharp", torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? torchSharp.GetName().Version!.ToString());
        string libtorch = torch.__version__;
        Assert.Matches(@"^\d+\.\d+", libtorch);
        AssertRow(output, "libtorch", libtorch);
        AssertRow(output, "ONNX Runtime", OrtEnv.Instance().GetVersionString());
        Assert.Contains("CPUExecutionProvider", output);
        Assert.Contains("libtorch threads", output);
        Assert.Contains("dataset fashion-mnist", output);
        Assert.Contains("dataset cifar10", output);
    }

    [Fact]
    public void Malformed_pipeline_exits_non_zero_with_file_and_line_and_no_stack_trace()
    {
        string file = _dir.Write("pipeline/bad.yaml", "name: bad\nstages:\n  - kind: train\n    params: { epochs: ten }\n");
        var (code, output) = Run("run", file);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("bad.yaml:4:", output);
        Assert.Contains("'ten' is not an integer", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(_dir["runs"]), "nothing runs when the file is malformed");
    }

    [Fact]
    public void Missing_pipeline_file_exits_non_zero()
    {
        var (code, output) = Run("run", _dir["pipeline/none.yaml"]);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("pipeline file not found", output);
    }

    [Fact]
    public void Unknown_command_is_a_usage_error()
    {
        var (code, output) = Run("frobnicate");
        Assert.Equal(NasOnnxCli.ExitUsage, code);
        Assert.Contains("nasonnx --help", output);
    }

    [Fact]
    public void Stages_lists_every_kind_with_params()
    {
        var (code, output) = Run("stages");
        Assert.Equal(0, code);
        foreach (var kind in new[] { "prepare-data", "train", "evaluate" }) Assert.Contains(kind, output);
        Assert.Contains("validation_fraction", output);
    }

    [Fact]
    public void Run_then_rerun_skips_and_a_bad_data_file_names_the_file()
    {
        string file = LearnableData.Project(_dir, "tiny", epochs: 1, train: 300, test: 100);
        var (code, output) = Run("run", file);
        Assert.True(code == 0, output);
        Assert.Contains("Done: 3 ran, 0 skipped", output);
        (code, output) = Run("run", file);
        Assert.Equal(0, code);
        Assert.Contains("Done: 0 ran, 3 skipped", output);

        File.WriteAllBytes(_dir["data/tiny/t10k-images-idx3-ubyte.gz"], [1, 2, 3]);
        (code, output) = Run("run", file);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("t10k-images-idx3-ubyte.gz", output);
        Assert.Contains("stage 'data'", output);
        Assert.DoesNotContain("   at ", output);
        Assert.True(File.Exists(_dir["runs/tiny/train/model.pt"]), "earlier complete outputs stay");
    }
}

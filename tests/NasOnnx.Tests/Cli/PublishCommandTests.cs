using System.Text.Json;
using NasOnnx.Cli;
using NasOnnx.Pipeline;
using NasOnnx.Reporting.Cards;
using NasOnnx.Tests.Pipeline;
using Spectre.Console.Testing;
using NasOnnx.Core;

namespace NasOnnx.Tests.Cli;

/// <summary>`nasonnx publish` and `nasonnx card` on a real run folder (the report tests' project: no training).</summary>
public class PublishCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Cli(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        int code = NasOnnxCli.Run(args, console);
        return (code, console.Output);
    }

    private string RunProject(bool benchmark)
    {
        var (file, _) = FakeRunProject.Create(_dir, benchmark);
        var registry = FakeRunProject.Registry();
        return new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions()).RunDir;
    }

    [Fact]
    public void Publish_writes_a_complete_model_folder_whose_card_matches_the_run()
    {
        string run = RunProject(benchmark: true);
        string models = _dir["models"];
        var (code, output) = Cli("publish", run, "--name", "tiny-chain", "--models-dir", models, "--description", "A test model.");
        Assert.True(code == 0, output);
        string folder = Path.Combine(models, "tiny-chain");

        // The same checks the model zoo runs on models/ in the repository.
        ModelZooTests.AssertPublishedModel(folder, _dir.Path);
        var card = ModelCard.Load(Path.Combine(folder, ModelCard.JsonFile));
        var runFolder = RunFolder.Open(run);
        Assert.Equal("pipeline/rep.yaml", card.Pipeline);
        Assert.Equal(ContentHash.OfFile(Path.Combine(run, PipelineRunner.LockFileName)), card.LockSha256);
        Assert.Equal(runFolder.Metrics("evaluate-onnx").Accuracy, card.TestAccuracyOnnx);
        Assert.Equal("evaluate-onnx", card.EvaluationStage);
        using (var latency = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "bench", "latency.json"))))
            Assert.Equal(Math.Round(latency.RootElement.GetProperty("record").GetProperty("p50_ms").GetDouble(), 4), card.LatencyP50Ms);
        Assert.Contains("benchmark stage `bench`", card.LatencySource);
        Assert.NotNull(card.PredictedLatencyMs);
        Assert.True(File.Exists(Path.Combine(folder, ModelCard.ReportFile)));
        Assert.Contains("A test model.", File.ReadAllText(Path.Combine(folder, ModelCard.MarkdownFile)));
        Assert.Empty(Directory.EnumerateDirectories(models, ".*"));

        // An existing model is not replaced without --force, and stays as it was.
        string before = File.ReadAllText(Path.Combine(folder, ModelCard.JsonFile));
        (code, output) = Cli("publish", run, "--name", "tiny-chain", "--models-dir", models);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("--force", output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(folder, ModelCard.JsonFile)));

        // `card --check` passes on the published folder and fails once the Markdown no longer matches the JSON; `card` rewrites it.
        Assert.Equal(0, Cli("card", folder, "--check").Code);
        File.AppendAllText(Path.Combine(folder, ModelCard.MarkdownFile), "hand edit\n");
        (code, output) = Cli("card", folder, "--check");
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("model_card.md", output);
        Assert.Equal(0, Cli("card", folder).Code);
        Assert.Equal(0, Cli("card", folder, "--check").Code);
    }

    [Fact]
    public void Publish_without_a_benchmark_stage_asks_for_one_or_measures_with_measure_latency()
    {
        string run = RunProject(benchmark: false);
        string models = _dir["models"];
        var (code, output) = Cli("publish", run, "--name", "m", "--models-dir", models);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("no benchmark stage", output);
        Assert.Contains("--measure-latency", output);
        Assert.False(Directory.Exists(Path.Combine(models, "m")));

        (code, output) = Cli("publish", run, "--name", "m", "--models-dir", models, "--measure-latency");
        Assert.True(code == 0, output);
        var card = ModelCard.Load(Path.Combine(models, "m", ModelCard.JsonFile));
        Assert.True(card.LatencyP50Ms > 0 && card.LatencyP90Ms >= card.LatencyP50Ms);
        Assert.Contains("--measure-latency", card.LatencySource);
        ModelZooTests.AssertPublishedModel(Path.Combine(models, "m"), _dir.Path);

        (code, output) = Cli("publish", run, "--name", "Bad Name", "--models-dir", models);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("not a model name", output);
        (code, output) = Cli("publish", run, "--name", "x", "--models-dir", models, "--evaluation", "data");
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("did not evaluate the ONNX file", output);
        (code, output) = Cli("publish", _dir["nowhere"], "--name", "x", "--models-dir", models);
        Assert.Equal(NasOnnxCli.ExitUserError, code);
        Assert.Contains("not a run folder", output);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Globalization;
using NasOnnx.Pipeline;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>pipeline/darts-fashion.yaml's stages, tiny, on learnable data: search -> derive -> retrain -> evaluate -> export -> evaluate ONNX.</summary>
public class OneShotPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static double Accuracy(string metricsCsv) =>
        double.Parse(File.ReadAllLines(metricsCsv)[1].Split(',')[0], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("gdas")]
    [InlineData("darts")]
    public void Search_derive_retrain_export_runs_end_to_end(string strategy)
    {
        string file = Shrunk(_dir, strategy, supernetEpochs: 1);
        var registry = StageCatalog.CreateRegistry();
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        Assert.True(File.Exists(_dir["runs/df/search/search.json"]));
        Assert.True(File.Exists(_dir["runs/df/search/alphas.csv"]));
        var derived = SpaceRegistry.Load(_dir["runs/df/derive/architecture.json"]);
        Assert.Equal("darts", derived.Space);
        double torchAcc = Accuracy(_dir["runs/df/evaluate/metrics.csv"]);
        double onnxAcc = Accuracy(_dir["runs/df/evaluate-onnx/metrics.csv"]);
        Assert.True(torchAcc > 0.3, $"test accuracy {torchAcc}");
        Assert.True(Math.Abs(torchAcc - onnxAcc) <= 0.001, $"TorchSharp {torchAcc} vs ONNX Runtime {onnxAcc}");
    }

    /// <summary>The shipped pipeline, shrunk: same stages and inputs, tiny params; optionally cut after the search stage.</summary>
    private static string Shrunk(TempDir dir, string strategy, int supernetEpochs, bool searchOnly = false)
    {
        LearnableData.Write(dir["data/tiny"], train: 600, test: 200);
        string yaml = File.ReadAllText(Path.Combine(RepoRoot(), "pipeline", "darts-fashion.yaml"))
            .Replace("name: darts-fashion", "name: df", StringComparison.Ordinal)
            .Replace("params: { dataset: fashion-mnist, validation_fraction: 0.1 }", "params: { path: data/tiny, validation_fraction: 0.2 }", StringComparison.Ordinal)
            .Replace("threads: 2", "threads: 1", StringComparison.Ordinal)
            .Replace("strategy: gdas", $"strategy: {strategy}", StringComparison.Ordinal)
            .Replace("width: 8 ", "width: 4 ", StringComparison.Ordinal)
            .Replace("width: 8\n", "width: 4\n", StringComparison.Ordinal)
            .Replace("depth: 5 ", "depth: 2 ", StringComparison.Ordinal)
            .Replace("cells: 5", "cells: 2", StringComparison.Ordinal)
            .Replace("supernet_epochs: 10", $"supernet_epochs: {supernetEpochs}", StringComparison.Ordinal)
            .Replace("supernet_batch_size: 64", "supernet_batch_size: 32", StringComparison.Ordinal)
            .Replace("supernet_data_fraction: 0.1", "supernet_data_fraction: 0.5", StringComparison.Ordinal)
            .Replace("epochs: 4", "epochs: 2", StringComparison.Ordinal)
            .Replace("batch_size: 96", "batch_size: 32", StringComparison.Ordinal);
        Assert.Contains("depth: 2", yaml);
        if (searchOnly) yaml = yaml[..yaml.IndexOf("  - name: derive", StringComparison.Ordinal)];
        return dir.Write("pipeline/df.yaml", yaml);
    }

    private static string WithoutSeconds(string searchJson)
    {
        var node = JsonNode.Parse(searchJson)!.AsObject();
        node.Remove("seconds");
        return node.ToJsonString();
    }

    [Fact]
    public void Gdas_search_killed_in_the_cli_resumes_from_its_epoch_checkpoint_to_the_unkilled_result()
    {
        using var refDir = new TempDir();
        Shrunk(refDir, "gdas", supernetEpochs: 3, searchOnly: true);
        var (code, output) = CliProcess.Run(refDir.Path, "run", "pipeline/df.yaml");
        Assert.True(code == 0, output);

        Shrunk(_dir, "gdas", supernetEpochs: 3, searchOnly: true);
        string progress = _dir["runs/df/.work/search/state/ckpt/progress.json"];
        using (var p = CliProcess.Start(_dir.Path, "run", "pipeline/df.yaml"))
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (File.Exists(progress)) break;
                if (p.HasExited) Assert.Fail("the run ended before it could be killed: " + p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd());
                Thread.Sleep(10);
            }
            p.Kill(entireProcessTree: true); // SIGKILL: no handler runs
            p.WaitForExit();
        }
        Assert.False(Directory.Exists(_dir["runs/df/search"]), "no search output after the kill");

        (code, output) = CliProcess.Run(_dir.Path, "run", "pipeline/df.yaml");
        Assert.True(code == 0, output);
        Assert.Matches("gdas: resuming after epoch [12] of 3", output);
        Assert.Equal(WithoutSeconds(File.ReadAllText(refDir["runs/df/search/search.json"])), WithoutSeconds(File.ReadAllText(_dir["runs/df/search/search.json"])));
        Assert.Equal(File.ReadAllText(refDir["runs/df/search/alphas.csv"]), File.ReadAllText(_dir["runs/df/search/alphas.csv"]));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NasOnnx.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

using System.Globalization;
using NasOnnx.Pipeline;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.Pipeline;

/// <summary>retrain -> evaluate -> export -> evaluate with ONNX Runtime, on learnable generated data, for each space.</summary>
public class RetrainExportPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static double Accuracy(string metricsCsv) =>
        double.Parse(File.ReadAllLines(metricsCsv)[1].Split(',')[0], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("darts", "width: 4, cells: 2")]
    [InlineData("nb201", "width: 4, cells: 1")]
    [InlineData("darts", "width: 4, cells: 3, aux_weight: 0.4, drop_path: 0.2, crop_padding: 2, cutout: 4")]
    public void Retrained_architecture_exports_and_onnx_accuracy_equals_torch_accuracy(string space, string scale)
    {
        LearnableData.Write(_dir["data/tiny"], train: 1200, test: 300);
        var (code, output) = CliProcess.Run(_dir.Path, "sample", "--space", space, "--seed", "3", "--out", _dir["arch.json"]);
        Assert.True(code == 0, output);
        string file = _dir.Write("pipeline/rr.yaml", $$"""
            name: rr
            seed: 3
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: retrain
                kind: retrain
                inputs: { data: data }
                params: { arch: arch.json, {{scale}}, epochs: 3, batch_size: 32, lr: 0.05 }
              - name: evaluate
                kind: evaluate
                inputs: { data: data, model: retrain }
              - name: export
                kind: export
                inputs: { model: retrain, data: data, evaluation: evaluate }
              - name: evaluate-onnx
                kind: evaluate
                inputs: { data: data, model: export }
              - name: report
                kind: report
            """);
        var registry = StageCatalog.CreateRegistry();
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        double torchAcc = Accuracy(_dir["runs/rr/evaluate/metrics.csv"]);
        double onnxAcc = Accuracy(_dir["runs/rr/evaluate-onnx/metrics.csv"]);
        Assert.True(torchAcc > 0.5, $"TorchSharp test accuracy {torchAcc}");
        Assert.True(Math.Abs(torchAcc - onnxAcc) <= 0.001, $"TorchSharp {torchAcc} vs ONNX Runtime {onnxAcc}");
        Assert.True(File.Exists(_dir["runs/rr/retrain/model.arch.json"]));
        Assert.True(File.Exists(_dir["runs/rr/export/architecture.json"]));
        string exportJson = File.ReadAllText(_dir["runs/rr/export/export.json"]);
        Assert.Contains("\"max_abs_diff\"", exportJson);
        ReportChecks.AssertWellFormed(_dir["runs/rr/report"], minFigures: 1);
    }
}

using System.Globalization;
using NasOnnx.Artifacts;
using NasOnnx.Cli;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using Spectre.Console.Testing;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The image-folder route end to end on generated data: IDX files written out as a PNG folder (`nasonnx images`), then
/// prepare-data (folder) -> retrain -> evaluate -> export with the preprocessing inside the ONNX file -> evaluate that
/// file in ONNX Runtime on the raw uint8 test images: the same accuracy as TorchSharp on the normalized ones, and the
/// same class names in the model as in the folder.
/// </summary>
[Collection(NasOnnx.Tests.Training.TorchCollection.Name)]
public class ImageFolderPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("nhwc")]
    [InlineData("nchw")]
    public void Folder_data_trains_and_the_preprocessed_onnx_file_scores_like_torchsharp(string layout)
    {
        LearnableData.Write(_dir["idx"], train: 600, test: 200);
        var console = new TestConsole();
        Assert.Equal(0, NasOnnxCli.Run(["images", "fashion-mnist", "--path", _dir["idx"], "--out", _dir["data/png"]], console));
        string file = _dir.Write("pipeline/f.yaml", $$"""
            name: f
            seed: 3
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/png, resolution: 28, channels: 1, validation_fraction: 0.2 }
              - name: retrain
                kind: retrain
                inputs: { data: data }
                params: { arch: arch.json, epochs: 6, batch_size: 32, lr: 0.05 }
              - name: evaluate
                kind: evaluate
                inputs: { data: data, model: retrain }
              - name: export
                kind: export
                inputs: { model: retrain, data: data, evaluation: evaluate }
                params: { preprocess: {{layout}} }
              - name: evaluate-onnx
                kind: evaluate
                inputs: { data: data, model: export }
            """);
        File.WriteAllText(_dir["arch.json"], """{"space": "chain", "config": {"stem_width": 4, "stages": [{"width": 4, "depth": 1, "stride": 1}, {"width": 8, "depth": 1, "stride": 2}], "head_width": 16}, "layers": ["mbconv_k3_e3", "mbconv_k3_e3"]}""");
        var registry = StageCatalog.CreateRegistry();
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var torch = MetricsFile.Read(_dir["runs/f/evaluate"]);
        var onnx = MetricsFile.Read(_dir["runs/f/evaluate-onnx"]);
        Assert.True(torch.Accuracy > 0.25, $"test accuracy {torch.Accuracy.ToString(CultureInfo.InvariantCulture)}");
        Assert.Equal(torch.Images, onnx.Images);
        Assert.True(Math.Abs(torch.Accuracy - onnx.Accuracy) <= 1.0 / torch.Images, $"TorchSharp {torch.Accuracy} vs ONNX Runtime on uint8 images {onnx.Accuracy}");

        var metadata = OnnxInspector.Inspect(_dir["runs/f/export/model.onnx"]).Metadata;
        Assert.Equal(layout, metadata[OnnxExporter.Keys.InputLayout]);
        var folders = Directory.GetDirectories(_dir["data/png/train"]).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(folders), metadata[OnnxExporter.Keys.Classes]);
    }
}

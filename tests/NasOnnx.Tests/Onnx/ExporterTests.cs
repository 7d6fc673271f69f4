using System.Diagnostics;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using Onnx;
using Xunit.Abstractions;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Onnx;

public sealed class ExporterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nasonnx-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SpaceOptions Tiny => new(Channels: 3, Resolution: 12, Classes: 7, Width: 4, Depth: 3);

    [Theory]
    [InlineData("darts")]
    [InlineData("nb201")]
    [InlineData("chain")]
    [InlineData("macro")]
    public void Trained_weights_export_with_metadata_and_match_in_onnx_runtime(string space)
    {
        OnnxTestKit.Init();
        var arch = SpaceRegistry.Create(space, Tiny with { Resolution = 12 }).Sample(new Random(5));
        using var net = NetworkFactory.BuildRandom(arch, seed: 3);
        string weights = Path.Combine(_dir, "model.pt");
        NetworkWeights.Save(net, weights);
        Assert.True(File.Exists(Path.Combine(_dir, "model.arch.json")));

        var reloaded = SpaceRegistry.Load(NetworkWeights.ArchitecturePathFor(weights));
        string onnx = Path.Combine(_dir, "out", "model.onnx");
        var result = ArchitectureExporter.Export(reloaded, weights, onnx, new ExportOptions
        {
            Dataset = "fashion-mnist",
            NormalizationMean = [0.286f],
            NormalizationStd = [0.353f],
            Accuracy = 0.9123,
            LatencyMs = 1.5,
            Verify = true,
        });
        Assert.True(File.Exists(onnx));
        Assert.NotNull(result.Verification);
        Assert.True(result.Verification!.MaxAbsDiff <= OnnxTestKit.Tolerance);
        var direct = OnnxVerifier.Compare(net, onnx, seed: 99);
        Assert.True(direct.MaxAbsDiff <= OnnxTestKit.Tolerance, $"abs {direct.MaxAbsDiff}");
        OnnxTestKit.Keep($"trained_{space}", File.ReadAllBytes(onnx));

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single().Version);
        Assert.Equal("NasOnnx", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        var input = model.Graph.Input.Single();
        Assert.Equal("input", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(new long[] { 3, 12, 12 }, dims.Skip(1).Select(d => d.DimValue));
        var outDims = model.Graph.Output.Single().Type.TensorType.Shape.Dim;
        Assert.Equal("logits", model.Graph.Output.Single().Name);
        Assert.Equal("batch", outDims[0].DimParam);
        Assert.Equal(7, outDims[1].DimValue);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization" && space != "nb201"); // nb201's last BN follows a sum
        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(arch.ArchId, SpaceRegistry.Parse(meta[OnnxExporter.Keys.Architecture]).ArchId);
        Assert.Equal(space, meta[OnnxExporter.Keys.Space]);
        Assert.Equal("fashion-mnist", meta[OnnxExporter.Keys.Dataset]);
        Assert.Contains("0.286", meta[OnnxExporter.Keys.Normalization]);
        Assert.Equal("0.9123", meta[OnnxExporter.Keys.Accuracy]);
        Assert.Equal("1.5", meta[OnnxExporter.Keys.LatencyMs]);

        var info = OnnxInspector.Inspect(onnx);
        Assert.Equal(result.Parameters, info.TrainedParameters);
        Assert.Equal(result.Macs, info.Macs);
    }

    [Fact]
    public void Weights_of_another_architecture_fail_naming_the_first_mismatch_and_write_nothing()
    {
        OnnxTestKit.Init();
        var options = Tiny with { Depth = 2 };
        var a = SpaceRegistry.Create("nb201", options).Sample(new Random(1));
        using var net = NetworkFactory.BuildRandom(a, 1);
        string weights = Path.Combine(_dir, "a.pt");
        NetworkWeights.Save(net, weights);
        string onnx = Path.Combine(_dir, "bad.onnx");

        // Fewer cells: the file has tensors the network lacks (or names differ).
        var fewer = SpaceRegistry.Create("nb201", options with { Depth = 1 }).Parse(a.ToJson().Replace("\"cells_per_stage\": 2", "\"cells_per_stage\": 1", StringComparison.Ordinal));
        var e1 = Assert.Throws<NasOnnxException>(() => ArchitectureExporter.Export(fewer, weights, onnx));
        Assert.Contains("do not match", e1.Message);
        Assert.Matches("tensor 'cells\\.[0-9a-z_.]+'", e1.Message);
        Assert.Equal(weights, e1.FilePath);

        // Wider: same names, other shapes.
        var wider = SpaceRegistry.Create("nb201", options).Parse(a.ToJson().Replace("\"width\": 4", "\"width\": 6", StringComparison.Ordinal));
        var e2 = Assert.Throws<NasOnnxException>(() => ArchitectureExporter.Export(wider, weights, onnx));
        Assert.Contains("'stem.conv.weight' has shape [4, 3, 3, 3] in the file, the network expects [6, 3, 3, 3]", e2.Message);

        // Other ops on the edges: tensors missing or extra.
        var other = SpaceRegistry.Parse(a.ToJson().Replace("\"edges\": [", "\"edges\": [\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\"], \"x\": [", StringComparison.Ordinal));
        if (other.ArchId != a.ArchId) Assert.Throws<NasOnnxException>(() => ArchitectureExporter.Export(other, weights, onnx));

        File.WriteAllText(Path.Combine(_dir, "junk.pt"), "not weights");
        var e3 = Assert.Throws<NasOnnxException>(() => ArchitectureExporter.Export(a, Path.Combine(_dir, "junk.pt"), onnx));
        Assert.Contains("not a TorchSharp state-dict", e3.Message);
        Assert.Throws<NasOnnxException>(() => ArchitectureExporter.Export(a, Path.Combine(_dir, "missing.pt"), onnx));
        Assert.False(File.Exists(onnx));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Random_weight_export_is_reproducible()
    {
        OnnxTestKit.Init();
        var arch = SpaceRegistry.Create("chain", Tiny).Sample(new Random(2));
        string p1 = Path.Combine(_dir, "1.onnx"), p2 = Path.Combine(_dir, "2.onnx"), p3 = Path.Combine(_dir, "3.onnx");
        ArchitectureExporter.ExportRandom(arch, 4, p1);
        ArchitectureExporter.ExportRandom(arch, 4, p2);
        ArchitectureExporter.ExportRandom(arch, 5, p3);
        Assert.Equal(File.ReadAllBytes(p1), File.ReadAllBytes(p2));
        Assert.NotEqual(File.ReadAllBytes(p1), File.ReadAllBytes(p3));
    }

    /// <summary>The largest network we export in the suite: DARTS' CIFAR-10 evaluation network (C=36, 20 cells).</summary>
    [Fact]
    public void Darts_paper_sized_network_exports_and_matches()
    {
        OnnxTestKit.Init();
        // DARTS (second order) CIFAR-10 genotype from the paper's repository.
        string json = """
        {"space":"darts","input":{"channels":3,"height":32,"width":32},"classes":10,"config":{"width":36,"cells":20},
         "normal":[["sep_conv_3x3",0],["sep_conv_3x3",1],["sep_conv_3x3",0],["sep_conv_3x3",1],["sep_conv_3x3",1],["skip_connect",0],["skip_connect",0],["dil_conv_3x3",2]],
         "reduce":[["max_pool_3x3",0],["max_pool_3x3",1],["skip_connect",2],["max_pool_3x3",1],["max_pool_3x3",0],["skip_connect",2],["skip_connect",2],["max_pool_3x3",1]]}
        """;
        var arch = SpaceRegistry.Parse(json);
        string onnx = Path.Combine(_dir, "darts_v2.onnx");
        var sw = Stopwatch.StartNew();
        var result = ArchitectureExporter.ExportRandom(arch, 1, onnx, new ExportOptions { Dataset = "cifar10" });
        sw.Stop();
        using var net = NetworkFactory.BuildRandom(arch, 1);
        var r = OnnxVerifier.Compare(net, onnx, seed: 1, threads: 2, 1, 3);
        OnnxTestKit.Record("darts paper network", r);
        output.WriteLine($"DARTS C=36 20 cells 3x32x32: params {result.Parameters:N0}, MACs {result.Macs:N0}, file {result.FileBytes / 1048576.0:F2} MiB, export {sw.Elapsed.TotalSeconds:F2} s, abs {r.MaxAbsDiff:G3}, rel {r.MaxRelDiff:G3}, max |logit| {r.MaxAbsOutput:G3}");
        Assert.InRange(result.Parameters, 3_200_000, 3_400_000); // the paper reports 3.3M
        Assert.True(r.MaxAbsDiff <= OnnxTestKit.Tolerance, $"abs {r.MaxAbsDiff}");
        var info = OnnxInspector.Inspect(onnx);
        Assert.Equal(result.Parameters, info.TrainedParameters);
        Assert.Equal(result.Macs, info.Macs);
        OnnxTestKit.Keep("darts_paper", File.ReadAllBytes(onnx));
    }
}

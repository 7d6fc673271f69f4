using System.Diagnostics;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Spaces;
using Xunit.Abstractions;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Onnx;

/// <summary>
/// The export proof per space: 50 random tiny architectures (random BatchNorm statistics), TorchSharp eval vs
/// ONNX Runtime at batch 1 and 3, max abs diff &lt;= 1e-4; every 5th also unfolded; parameters and MACs of the
/// TorchSharp network agree with the inspector's count from the ONNX graph.
/// </summary>
public abstract class SpaceExportTestsBase(ITestOutputHelper output)
{
    protected abstract string Space { get; }

    /// <summary>Tiny options for architecture i (varying channels, resolution, width, depth).</summary>
    protected abstract SpaceOptions Tiny(int i);

    [Fact]
    public void Fifty_random_architectures_match_onnx_runtime()
    {
        OnnxTestKit.Init();
        double worstAbs = 0, worstRel = 0;
        var ids = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var space = SpaceRegistry.Create(Space, Tiny(i));
            var arch = space.Sample(new Random(1000 + i));
            ids.Add(arch.ArchId);
            using var net = NetworkFactory.BuildRandom(arch, seed: i);
            foreach (bool fold in i % 5 == 0 ? new[] { true, false } : new[] { true })
            {
                var r = OnnxTestKit.ExportAndCompare(net, fold, "rand", seed: i);
                worstAbs = Math.Max(worstAbs, r.MaxAbsDiff);
                worstRel = Math.Max(worstRel, r.MaxRelDiff);
                CheckCounts(net, fold);
            }
        }
        output.WriteLine($"{Space}: 50 architectures ({ids.Count} distinct), worst abs {worstAbs:G3}, worst rel {worstRel:G3}");
        Assert.True(ids.Count >= 45, $"only {ids.Count} distinct architectures of 50");
    }

    [Fact]
    public void Fashion_mnist_and_cifar_shaped_default_networks_export_and_match()
    {
        OnnxTestKit.Init();
        foreach (var options in new[] { SpaceOptions.FashionMnist, SpaceOptions.Cifar10 })
        {
            var arch = SpaceRegistry.Create(Space, options).Sample(new Random(7));
            using var net = NetworkFactory.BuildRandom(arch, seed: 7);
            var sw = Stopwatch.StartNew();
            var r = OnnxTestKit.ExportAndCompare(net, fold: true, "default");
            var (p, m) = CheckCounts(net, fold: true);
            output.WriteLine($"{Space} {options.Input}: params {p:N0}, MACs {m:N0}, abs {r.MaxAbsDiff:G3}, rel {r.MaxRelDiff:G3}, {sw.ElapsedMilliseconds} ms export+check");
        }
    }

    private static (long Params, long Macs) CheckCounts(NasNetwork net, bool fold)
    {
        var model = OnnxExporter.BuildModel(net, new ExportOptions { FoldBatchNorm = fold });
        var info = OnnxInspector.Inspect(model);
        var (parameters, macs) = NetworkStats.Measure(net);
        Assert.Empty(info.UnknownShapeOps);
        Assert.Equal(parameters, info.TrainedParameters);
        if (!fold) Assert.Equal(parameters, info.GraphParameters); // independent of the folding bookkeeping
        Assert.Equal(macs, info.Macs);
        return (parameters, macs);
    }
}

public class DartsExportTests(ITestOutputHelper output) : SpaceExportTestsBase(output)
{
    protected override string Space => "darts";
    protected override SpaceOptions Tiny(int i) => new(Channels: 1 + 2 * (i % 2), Resolution: 8 + 2 * (i % 3), Classes: 10, Width: 4, Depth: 2 + i % 4);
}

public class Nb201ExportTests(ITestOutputHelper output) : SpaceExportTestsBase(output)
{
    protected override string Space => "nb201";
    protected override SpaceOptions Tiny(int i) => new(Channels: 1 + 2 * (i % 2), Resolution: 8 + 4 * (i % 2), Classes: 10, Width: 4, Depth: 1 + i % 2);
}

public class ChainExportTests(ITestOutputHelper output) : SpaceExportTestsBase(output)
{
    protected override string Space => "chain";
    protected override SpaceOptions Tiny(int i) => new(Channels: 1 + 2 * (i % 2), Resolution: 8 + 3 * (i % 3), Classes: 10, Width: 4, Depth: 1 + i % 2);
}

public class MacroExportTests(ITestOutputHelper output) : SpaceExportTestsBase(output)
{
    protected override string Space => "macro";
    protected override SpaceOptions Tiny(int i) => new(Channels: 1 + 2 * (i % 2), Resolution: 8 + 3 * (i % 3), Classes: 10, Width: 4, Depth: 3 + i % 4);
}

using NasOnnx.Networks;
using NasOnnx.Ops;
using NasOnnx.Spaces.Chain;
using Xunit.Abstractions;
using static TorchSharp.torch;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Tests.Onnx;

/// <summary>Every candidate op of every space, alone: TorchSharp eval forward vs ONNX Runtime, batch 1 and 3,
/// randomized BatchNorm statistics, folded and unfolded, even and odd sizes.</summary>
public class OpEquivalenceTests(ITestOutputHelper output)
{
    public static TheoryData<string, long> CellCases()
    {
        var data = new TheoryData<string, long>();
        foreach (var op in CellOps.All)
            foreach (long stride in new long[] { 1, 2 })
                data.Add(op, stride);
        return data;
    }

    [Theory]
    [MemberData(nameof(CellCases))]
    public void Cell_op_matches_onnx_runtime(string op, long stride)
    {
        OnnxTestKit.Init();
        foreach (long size in new long[] { 8, 7 })
            foreach (bool fold in new[] { true, false })
            {
                manual_seed(3);
                using var module = CellOps.Create(op, 6, stride);
                NetworkWeights.Randomize(module, 11);
                var r = OnnxTestKit.CompareOp(module, 6, size, fold, $"{op}_s{stride}_{size}");
                output.WriteLine($"{op} stride {stride} size {size} fold {fold}: abs {r.MaxAbsDiff:G3} rel {r.MaxRelDiff:G3}");
            }
    }

    public static TheoryData<string, long> MbCases()
    {
        var data = new TheoryData<string, long>();
        foreach (var op in ChainOp.MbConvs.Select(o => o.Name))
            foreach (long stride in new long[] { 1, 2 })
                data.Add(op, stride);
        return data;
    }

    [Theory]
    [MemberData(nameof(MbCases))]
    public void MBConv_matches_onnx_runtime(string op, long stride)
    {
        OnnxTestKit.Init();
        var (k, e) = (ChainOp.Find(op)!.Value.Kernel, ChainOp.Find(op)!.Value.Expansion);
        foreach (var (cin, cout) in new[] { (4L, 4L), (4L, 6L) })
            foreach (bool fold in new[] { true, false })
            {
                manual_seed(5);
                using var module = new MBConv(cin, cout, k, e, stride);
                NetworkWeights.Randomize(module, 13);
                OnnxTestKit.CompareOp(module, cin, 9, fold, $"{op}_s{stride}_{cin}to{cout}");
            }
    }

    [Fact]
    public void Skeleton_blocks_match_onnx_runtime()
    {
        OnnxTestKit.Init();
        foreach (bool fold in new[] { true, false })
        {
            manual_seed(9);
            OpModule[] blocks =
            [
                new ResidualReduction(4, 8),
                new ConvBn(new ConvSpec(4, 6, 3, 1, 1), act: Activation.Relu6),
                new ConvBn(new ConvSpec(4, 6, 5, 2, 2), act: Activation.Relu),
                new ConvBn(new ConvSpec(4, 6, 1, 4, 0)),
                new ConvBn(new ConvSpec(4, 6, 1), preRelu: true, affine: false),
                new MBConv(4, 4, 3, 1, 1),
                new FactorizedReduce(4, 8),
                new Pool(PoolKind.Max, 2),
                new Pool(PoolKind.Avg, 2),
            ];
            for (int i = 0; i < blocks.Length; i++)
            {
                NetworkWeights.Randomize(blocks[i], 17 + i);
                OnnxTestKit.CompareOp(blocks[i], 4, 8, fold, $"block{i}_{blocks[i].GetName()}");
                blocks[i].Dispose();
            }
        }
    }
}

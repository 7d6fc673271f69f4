using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>
/// The cell ops of DARTS and NAS-Bench-201, by their published names. One factory for discrete networks and
/// supernets alike: <see cref="Create"/> returns a module that both runs in TorchSharp and emits ONNX.
/// </summary>
public static class CellOps
{
    public const string None = "none";
    public const string MaxPool3x3 = "max_pool_3x3";
    public const string AvgPool3x3 = "avg_pool_3x3";
    public const string SkipConnect = "skip_connect";
    public const string SepConv3x3 = "sep_conv_3x3";
    public const string SepConv5x5 = "sep_conv_5x5";
    public const string DilConv3x3 = "dil_conv_3x3";
    public const string DilConv5x5 = "dil_conv_5x5";
    public const string NorConv1x1 = "nor_conv_1x1";
    public const string NorConv3x3 = "nor_conv_3x3";

    public static readonly IReadOnlyList<string> All =
        [None, MaxPool3x3, AvgPool3x3, SkipConnect, SepConv3x3, SepConv5x5, DilConv3x3, DilConv5x5, NorConv1x1, NorConv3x3];

    /// <summary>Builds op <paramref name="op"/> on <paramref name="channels"/> channels (same in and out).</summary>
    public static OpModule Create(string op, long channels, long stride, bool affine = true) => op switch
    {
        None => new Zero(stride),
        MaxPool3x3 => new Pool(PoolKind.Max, stride),
        AvgPool3x3 => new Pool(PoolKind.Avg, stride),
        SkipConnect => stride == 1 ? new IdentityOp() : new FactorizedReduce(channels, channels, affine),
        SepConv3x3 => new SepConv(channels, 3, stride, affine),
        SepConv5x5 => new SepConv(channels, 5, stride, affine),
        DilConv3x3 => new DilConv(channels, 3, stride, affine),
        DilConv5x5 => new DilConv(channels, 5, stride, affine),
        NorConv1x1 => new ConvBn(new ConvSpec(channels, channels, 1, stride, 0), preRelu: true, affine: affine),
        NorConv3x3 => new ConvBn(new ConvSpec(channels, channels, 3, stride, 1), preRelu: true, affine: affine),
        _ => throw new ArgumentException($"Unknown cell op '{op}'. Known: {string.Join(", ", All)}.", nameof(op)),
    };
}

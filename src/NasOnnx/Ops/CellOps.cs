using NasOnnx.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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

/// <summary>The 'none' op: zeros shaped like the op's output (strided when the op reduces).</summary>
public sealed class Zero : OpModule
{
    private readonly long _stride;
    public Zero(long stride) : base(nameof(Zero)) { _stride = stride; RegisterComponents(); }

    public override Tensor forward(Tensor x)
    {
        if (_stride == 1) return x.mul(0f);
        return x.slice(2, 0, x.shape[2], _stride).slice(3, 0, x.shape[3], _stride).mul(0f);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = _stride == 1 ? input : g.SliceSpatial(input, 0, _stride, name + ".slice");
        return g.Scale(x, 0f, name + ".zero");
    }
}

public sealed class IdentityOp : OpModule
{
    public IdentityOp() : base("Identity") { RegisterComponents(); }
    public override Tensor forward(Tensor x) => x.alias();
    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => input;
}

public enum PoolKind { Max, Avg }

/// <summary>3x3 max or average pooling, padding 1; average excludes the padding (count_include_pad=False).</summary>
public sealed class Pool : OpModule
{
    private readonly PoolKind _kind;
    private readonly long _stride;
    private readonly long _kernel;
    private readonly long _padding;

    public Pool(PoolKind kind, long stride, long kernel = 3, long padding = 1) : base(kind + "Pool")
    {
        _kind = kind; _stride = stride; _kernel = kernel; _padding = padding;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _kind == PoolKind.Max
        ? nn.functional.max_pool2d(x, _kernel, _stride, _padding)
        : nn.functional.avg_pool2d(x, _kernel, _stride, _padding, ceil_mode: false, count_include_pad: false);

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => _kind == PoolKind.Max
        ? g.MaxPool(input, _kernel, _stride, _padding, name + ".maxpool")
        : g.AvgPool(input, _kernel, _stride, _padding, countIncludePad: false, name + ".avgpool");
}

/// <summary>DARTS separable convolution: (ReLU, depthwise k x k, pointwise, BN) twice; only the first is strided.</summary>
public sealed class SepConv : OpModule, IReluFirstOp
{
    private readonly Conv2d dw1, pw1, dw2, pw2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly ConvSpec _dw1, _pw1, _dw2, _pw2;

    public SepConv(long c, long k, long stride, bool affine = true) : base(nameof(SepConv))
    {
        _dw1 = new ConvSpec(c, c, k, stride, k / 2, 1, c);
        _pw1 = new ConvSpec(c, c, 1);
        _dw2 = new ConvSpec(c, c, k, 1, k / 2, 1, c);
        _pw2 = new ConvSpec(c, c, 1);
        dw1 = _dw1.Create(); pw1 = _pw1.Create(); bn1 = nn.BatchNorm2d(c, affine: affine);
        dw2 = _dw2.Create(); pw2 = _pw2.Create(); bn2 = nn.BatchNorm2d(c, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor relued)
    {
        var x = bn1.call(pw1.call(dw1.call(relued)));
        return bn2.call(pw2.call(dw2.call(nn.functional.relu(x))));
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu1");
        x = g.Conv(x, dw1, _dw1, name + ".dw1");
        x = g.Conv(x, pw1, _pw1, name + ".pw1", bn1);
        x = g.Relu(x, name + ".relu2");
        x = g.Conv(x, dw2, _dw2, name + ".dw2");
        return g.Conv(x, pw2, _pw2, name + ".pw2", bn2);
    }
}

/// <summary>DARTS dilated convolution: ReLU, depthwise k x k with dilation 2, pointwise, BN.</summary>
public sealed class DilConv : OpModule, IReluFirstOp
{
    private readonly Conv2d dw, pw;
    private readonly BatchNorm2d bn;
    private readonly ConvSpec _dw, _pw;

    public DilConv(long c, long k, long stride, bool affine = true, long dilation = 2) : base(nameof(DilConv))
    {
        _dw = new ConvSpec(c, c, k, stride, dilation * (k - 1) / 2, dilation, c);
        _pw = new ConvSpec(c, c, 1);
        dw = _dw.Create(); pw = _pw.Create(); bn = nn.BatchNorm2d(c, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor relued) => bn.call(pw.call(dw.call(relued)));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu");
        x = g.Conv(x, dw, _dw, name + ".dw");
        return g.Conv(x, pw, _pw, name + ".pw", bn);
    }
}

/// <summary>
/// DARTS' factorized reduce: ReLU, two strided 1x1 convolutions (the second shifted by one pixel), concatenated, BN.
/// The shifted branch is padded by one pixel at the bottom/right so odd sizes work too (same values as DARTS for even sizes).
/// </summary>
public sealed class FactorizedReduce : OpModule, IReluFirstOp
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn;
    private readonly ConvSpec _c1, _c2;

    public FactorizedReduce(long cin, long cout, bool affine = true) : base(nameof(FactorizedReduce))
    {
        if (cout % 2 != 0) throw new ArgumentException($"FactorizedReduce needs an even channel count, got {cout}.", nameof(cout));
        _c1 = new ConvSpec(cin, cout / 2, 1, 2);
        _c2 = new ConvSpec(cin, cout / 2, 1, 2);
        conv1 = _c1.Create(); conv2 = _c2.Create(); bn = nn.BatchNorm2d(cout, affine: affine);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => ForwardAfterRelu(nn.functional.relu(x));

    public bool StartsWithRelu => true;

    public Tensor ForwardAfterRelu(Tensor x)
    {
        var shifted = nn.functional.pad(x.slice(2, 1, x.shape[2], 1).slice(3, 1, x.shape[3], 1), (0L, 1L, 0L, 1L));
        return bn.call(torch.cat([conv1.call(x), conv2.call(shifted)], 1));
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = g.Relu(input, name + ".relu");
        string shifted = g.SliceSpatial(x, 1, 1, name + ".shift");
        long[] pads = [0, 0, 1, 1];
        if (g.FoldBatchNorm)
        {
            string a = g.Conv(x, conv1, _c1, name + ".conv1", bn, 0);
            string b = g.Conv(shifted, conv2, _c2, name + ".conv2", bn, _c1.Out, pads);
            return g.Concat([a, b], name + ".cat");
        }
        string y1 = g.Conv(x, conv1, _c1, name + ".conv1");
        string y2 = g.Conv(shifted, conv2, _c2, name + ".conv2", pads: pads);
        return g.BatchNorm(g.Concat([y1, y2], name + ".cat"), bn, name + ".bn");
    }
}

/// <summary>
/// Inverted residual (MobileNetV2 / ProxylessNAS MBConv): 1x1 expand + BN + ReLU6 (when expansion > 1),
/// k x k depthwise + BN + ReLU6, 1x1 project + BN; identity residual when stride 1 and widths match.
/// </summary>
public sealed class MBConv : OpModule
{
    private readonly ConvBn? expand;
    private readonly ConvBn dw;
    private readonly ConvBn project;
    private readonly bool _residual;

    public MBConv(long cin, long cout, long kernel, long expansion, long stride) : base(nameof(MBConv))
    {
        long mid = cin * expansion;
        expand = expansion == 1 ? null : new ConvBn(new ConvSpec(cin, mid, 1), act: Activation.Relu6);
        dw = new ConvBn(new ConvSpec(mid, mid, kernel, stride, kernel / 2, 1, mid), act: Activation.Relu6);
        project = new ConvBn(new ConvSpec(mid, cout, 1));
        _residual = stride == 1 && cin == cout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = expand is null ? x : expand.call(x);
        y = project.call(dw.call(y));
        return _residual ? y.add(x) : y;
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string y = expand is null ? input : expand.EmitOnnx(g, input, name + ".expand");
        y = project.EmitOnnx(g, dw.EmitOnnx(g, y, name + ".dw"), name + ".project");
        return _residual ? g.Add(y, input, name + ".residual") : y;
    }
}

/// <summary>NAS-Bench-201's reduction block: two ReLUConvBN 3x3 (first strided) plus an AvgPool 2x2 + 1x1 conv shortcut.</summary>
public sealed class ResidualReduction : OpModule
{
    private readonly ConvBn conv_a, conv_b;
    private readonly Conv2d downsample;
    private readonly ConvSpec _down;

    public ResidualReduction(long cin, long cout, bool affine = true) : base(nameof(ResidualReduction))
    {
        conv_a = new ConvBn(new ConvSpec(cin, cout, 3, 2, 1), preRelu: true, affine: affine);
        conv_b = new ConvBn(new ConvSpec(cout, cout, 3, 1, 1), preRelu: true, affine: affine);
        _down = new ConvSpec(cin, cout, 1);
        downsample = _down.Create();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var basic = conv_b.call(conv_a.call(x));
        var shortcut = downsample.call(nn.functional.avg_pool2d(x, 2, 2, 0));
        return shortcut.add(basic);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string basic = conv_b.EmitOnnx(g, conv_a.EmitOnnx(g, input, name + ".conv_a"), name + ".conv_b");
        string pooled = g.AvgPool(input, 2, 2, 0, countIncludePad: false, name + ".pool");
        string shortcut = g.Conv(pooled, downsample, _down, name + ".downsample");
        return g.Add(shortcut, basic, name + ".add");
    }
}

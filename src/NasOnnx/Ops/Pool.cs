using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

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

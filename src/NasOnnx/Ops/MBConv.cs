using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

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
        return _residual ? y.Plus(x) : y;
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string y = expand is null ? input : expand.EmitOnnx(g, input, name + ".expand");
        y = project.EmitOnnx(g, dw.EmitOnnx(g, y, name + ".dw"), name + ".project");
        return _residual ? g.Add(y, input, name + ".residual") : y;
    }
}

using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>The 'none' op: zeros shaped like the op's output (strided when the op reduces).</summary>
public sealed class Zero : OpModule
{
    private readonly long _stride;
    public Zero(long stride) : base(nameof(Zero)) { _stride = stride; RegisterComponents(); }

    public override Tensor forward(Tensor x)
    {
        if (_stride == 1) return x.mul(HeldScalars.FloatZero);
        return x.slice(2, 0, x.shape[2], _stride).slice(3, 0, x.shape[3], _stride).mul(HeldScalars.FloatZero);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = _stride == 1 ? input : g.SliceSpatial(input, 0, _stride, name + ".slice");
        return g.Scale(x, 0f, name + ".zero");
    }
}

using NasOnnx.Runtime;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Macro;

/// <summary>A macro layer: its op and one projection per skip connection.</summary>
public sealed class MacroLayerModule : nn.Module
{
    private readonly OpModule op;
    private readonly ModuleList<OpModule> skips = new();
    private readonly int[] _from;

    public MacroLayerModule(OpModule op, IEnumerable<OpModule> projections, int[] from) : base(nameof(MacroLayerModule))
    {
        this.op = op;
        foreach (var p in projections) skips.Add(p);
        _from = from;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, IReadOnlyList<Tensor> outputs)
    {
        var y = op.call(x);
        for (int k = 0; k < _from.Length; k++) y = y.Plus(skips[k].call(outputs[_from[k]]));
        return y;
    }

    public string Emit(OnnxGraphBuilder g, string x, IReadOnlyList<string> outputs, string name)
    {
        string y = op.EmitOnnx(g, x, name + ".op");
        for (int k = 0; k < _from.Length; k++) y = g.Add(y, skips[k].EmitOnnx(g, outputs[_from[k]], $"{name}.skips.{k}"), $"{name}.skip{k}");
        return y;
    }
}

using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces.Macro;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

/// <summary>
/// Stem conv 3x3 + BN + ReLU, then the layers: y_i = op_i(y_{i-1}) + sum over skips j of proj(y_j), where proj is
/// the identity when shapes match, else a strided 1x1 conv + BN. Layers depth/3 and 2*depth/3 have stride 2.
/// </summary>
public sealed class MacroNetwork : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<MacroLayerModule> layers = new();
    private readonly Linear classifier;

    public MacroNetwork(MacroArchitecture arch) : base(nameof(MacroNetwork), arch)
    {
        var cfg = arch.Config;
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, cfg.StemWidth, 3, 1, 1), act: Activation.Relu);
        var reductions = MacroConfig.Reductions(arch.Layers.Count);
        var widths = new List<long>();
        var reducedBy = new List<int>(); // reductions applied up to and including layer i
        long prev = cfg.StemWidth;
        int reduced = 0;
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            var l = arch.Layers[i];
            long stride = reductions.Contains(i) ? 2 : 1;
            if (stride == 2) reduced++;
            long width = l.IsConv ? l.Width : prev;
            OpModule op = l.IsConv
                ? new ConvBn(new ConvSpec(prev, width, l.Kernel, stride, l.Kernel / 2), act: Activation.Relu)
                : new Pool(l.Op.StartsWith("max", StringComparison.Ordinal) ? PoolKind.Max : PoolKind.Avg, stride);
            var projections = new List<OpModule>();
            foreach (int j in l.Skips)
            {
                int r = reduced - reducedBy[j];
                projections.Add(widths[j] == width && r == 0
                    ? new IdentityOp()
                    : new ConvBn(new ConvSpec(widths[j], width, 1, 1L << r)));
            }
            layers.Add(new MacroLayerModule(op, projections, l.Skips.ToArray()));
            widths.Add(width);
            reducedBy.Add(reduced);
            prev = width;
        }
        classifier = nn.Linear(prev, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        var outputs = new List<Tensor>();
        foreach (var layer in layers)
        {
            x = layer.Forward(x, outputs);
            outputs.Add(x);
        }
        return Classify(x, classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = stem.EmitOnnx(g, input, "stem");
        var outputs = new List<string>();
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].Emit(g, x, outputs, $"layers.{i}");
            outputs.Add(x);
        }
        return EmitClassify(g, x, classifier);
    }
}

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
        for (int k = 0; k < _from.Length; k++) y = y.add(skips[k].call(outputs[_from[k]]));
        return y;
    }

    public string Emit(OnnxGraphBuilder g, string x, IReadOnlyList<string> outputs, string name)
    {
        string y = op.EmitOnnx(g, x, name + ".op");
        for (int k = 0; k < _from.Length; k++) y = g.Add(y, skips[k].EmitOnnx(g, outputs[_from[k]], $"{name}.skips.{k}"), $"{name}.skip{k}");
        return y;
    }
}

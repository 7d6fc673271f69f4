using NasOnnx.Ops;
using NasOnnx.Networks;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Macro;

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
        long prev = cfg.StemWidth;
        foreach (var l in MacroLayout.Of(arch))
        {
            OpModule op = l.Op.Pool is { } pool
                ? new Pool(pool, l.Stride)
                : new ConvBn(new ConvSpec(l.In, l.Width, l.Op.Kernel, l.Stride, l.Op.Kernel / 2), act: Activation.Relu);
            var projections = l.Skips.Select(skip => skip.NeedsProjection(l.Width)
                ? (OpModule)new ConvBn(new ConvSpec(skip.FromWidth, l.Width, 1, 1L << skip.Reductions))
                : new IdentityOp());
            layers.Add(new MacroLayerModule(op, projections, l.Skips.Select(skip => skip.From).ToArray()));
            prev = l.Width;
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

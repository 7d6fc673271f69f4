using NasOnnx.Ops;
using NasOnnx.Networks;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Chain;

/// <summary>Stem conv 3x3 + BN + ReLU6, one MBConv or skip per layer, 1x1 head conv + BN + ReLU6, GAP, linear.</summary>
public sealed class ChainNetwork : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<OpModule> layers = new();
    private readonly ConvBn head;
    private readonly Linear classifier;

    public ChainNetwork(ChainArchitecture arch) : base(nameof(ChainNetwork), arch)
    {
        var cfg = arch.Config;
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, cfg.StemWidth, 3, 1, 1), act: Activation.Relu6);
        var shapes = cfg.LayerShapes();
        for (int i = 0; i < shapes.Count; i++) layers.Add(arch.Ops[i].Build(shapes[i].In, shapes[i].Out, shapes[i].Stride));
        int last = cfg.LastWidth;
        head = new ConvBn(new ConvSpec(last, cfg.HeadWidth, 1), act: Activation.Relu6);
        classifier = nn.Linear(cfg.HeadWidth, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        foreach (var layer in layers) x = layer.call(x);
        return Classify(head.call(x), classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = stem.EmitOnnx(g, input, "stem");
        for (int i = 0; i < layers.Count; i++) x = layers[i].EmitOnnx(g, x, $"layers.{i}");
        return EmitClassify(g, head.EmitOnnx(g, x, "head"), classifier);
    }
}

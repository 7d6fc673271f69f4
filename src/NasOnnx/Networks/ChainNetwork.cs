using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces.Chain;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Networks;

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
        for (int i = 0; i < shapes.Count; i++)
        {
            var (cin, cout, stride) = shapes[i];
            if (arch.Layers[i] == ChainSpace.Skip) layers.Add(new IdentityOp());
            else
            {
                var (k, e) = ChainSpace.ParseMb(arch.Layers[i]);
                layers.Add(new MBConv(cin, cout, k, e, stride));
            }
        }
        int last = shapes.Count > 0 ? shapes[^1].Out : cfg.StemWidth;
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

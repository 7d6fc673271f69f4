using NasOnnx.Networks;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Tests.ToySpace;

/// <summary>Stem conv + BN, one cell op per layer, global average pooling, linear classifier.</summary>
public sealed class ToyNetwork : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<OpModule> layers = new();
    private readonly Linear classifier;

    public ToyNetwork(ToyArchitecture arch) : base(nameof(ToyNetwork), arch)
    {
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, arch.Width, 3, 1, 1));
        foreach (var op in arch.Layers) layers.Add(CellOps.Create(op, arch.Width, 1));
        classifier = nn.Linear(arch.Width, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        foreach (var layer in layers) x = layer.call(x);
        return Classify(x, classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = stem.EmitOnnx(g, input, "stem");
        for (int i = 0; i < layers.Count; i++) x = layers[i].EmitOnnx(g, x, $"layers.{i}");
        return EmitClassify(g, x, classifier);
    }
}

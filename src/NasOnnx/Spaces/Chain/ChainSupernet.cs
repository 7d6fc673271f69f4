using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Ops;
using NasOnnx.Architectures;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Chain;

/// <summary>
/// The mobile chain space as a supernet: stem, one mixed layer per position over its choices (MBConv k3/5/7 e3/6,
/// and skip where the layer keeps the shape), head, GAP, linear. One alpha group per layer, "layer{i}" (1 x k).
/// </summary>
public sealed class ChainSupernet : Supernet
{
    private readonly ConvBn stem;
    private readonly ModuleList<MixedEdge> layers = new();
    private readonly ConvBn head;
    private readonly Linear classifier;

    public ChainSupernet(ChainSpace space, int seed = 0) : base(nameof(ChainSupernet), space)
    {
        var cfg = space.Config;
        stem = new ConvBn(new ConvSpec(space.Options.Channels, cfg.StemWidth, 3, 1, 1), act: Activation.Relu6);
        var shapes = cfg.LayerShapes();
        for (int i = 0; i < shapes.Count; i++)
        {
            var shape = shapes[i];
            layers.Add(new MixedEdge(space.Decisions[i].Choices, (op, _) => ChainOp.Find(op)!.Value.Build(shape.In, shape.Out, shape.Stride), shape.Out, shape.Stride));
        }
        int last = cfg.LastWidth;
        head = new ConvBn(new ConvSpec(last, cfg.HeadWidth, 1), act: Activation.Relu6);
        classifier = nn.Linear(cfg.HeadWidth, space.Options.Classes);
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        var gen = new Generator((ulong)seed + 1);
        for (int i = 0; i < shapes.Count; i++) Arch.AddAlpha($"layer{i}", ["layer"], space.Decisions[i].Choices, gen);
    }

    public override Tensor forward(Tensor x)
    {
        var sel = Select();
        x = stem.call(x);
        for (int i = 0; i < layers.Count; i++) x = layers[i].Run(x, sel[$"layer{i}"][0]) ?? throw new InvalidOperationException("every chain layer runs an op");
        return classifier.call(nn.functional.adaptive_avg_pool2d(head.call(x), 1).flatten(1));
    }

    public override Dictionary<string, int[]> PathOf(IArchitecture architecture)
    {
        var space = (ChainSpace)Space;
        var choices = space.ToChoices(architecture);
        return choices.Select((c, i) => (c, i)).ToDictionary(t => $"layer{t.i}", t => new[] { t.c });
    }
}

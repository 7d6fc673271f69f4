using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Ops;

namespace NasOnnx.Spaces.Chain;

/// <summary>Chain: stem, one MBConv (or skip) per layer, head conv, classifier. Exact decomposition: every layer decision maps to one entry.</summary>
public sealed class ChainLatencyModel(ChainSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => ChainSpace.SpaceName;
    public override string Coverage => "chain: stem conv, every MBConv k3/5/7 e3/6 at every layer's input shape and stride, skip (0, no node), head 1x1 conv and the classifier; a layer decision is exactly one entry.";
    public override bool ExactChoiceSplit => true;

    private OpInstance Layer(ChainOp op, ChainLayerShape l)
    {
        if (op.IsSkip) return new OpInstance(new OpKey("skip", S(l.In, l.Resolution), S(l.Out, l.Resolution), "identity"), () => new IdentityOp(), emitsNothing: true);
        return new OpInstance(new OpKey("mbconv", S(l.In, l.Resolution), S(l.Out, Out(l.Resolution, l.Stride)), $"k{op.Kernel}_e{op.Expansion}_s{l.Stride}"),
            () => op.Build(l.In, l.Out, l.Stride));
    }

    /// <summary>The fixed ops (stem, head conv, classifier) and the layers' shapes, from the config's layout.</summary>
    private (List<OpInstance> Fixed, IReadOnlyList<ChainLayerShape> Layers) Skeleton(ChainConfig cfg, InputShape input, int classes)
    {
        var layers = cfg.LayerShapes(input.Height);
        int r = layers.Count > 0 ? Out(layers[^1].Resolution, layers[^1].Stride) : input.Height;
        var fixedOps = new List<OpInstance>
        {
            ConvBnOp(input.Channels, cfg.StemWidth, 3, 1, input.Height, false, Activation.Relu6),
            ConvBnOp(cfg.LastWidth, cfg.HeadWidth, 1, 1, r, false, Activation.Relu6),
            Head(cfg.HeadWidth, r, classes),
        };
        return (fixedOps, layers);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not ChainArchitecture arch) throw WrongSpace(architecture);
        var (fixedOps, layers) = Skeleton(arch.Config, arch.Input, arch.Classes);
        var result = new List<OpInstance> { fixedOps[0] };
        for (int i = 0; i < layers.Count; i++) result.Add(Layer(arch.Ops[i], layers[i]));
        result.AddRange(fixedOps.Skip(1));
        return result;
    }

    public override ChoiceInstances Choices()
    {
        var (fixedOps, layers) = Skeleton(space.Config, space.Options.Input, space.Options.Classes);
        var per = space.Decisions.Select((d, i) => (IReadOnlyList<IReadOnlyList<(OpInstance, double)>>)d.Choices
            .Select(op => (IReadOnlyList<(OpInstance, double)>)[(Layer(ChainOp.Find(op)!.Value, layers[i]), 1.0)]).ToArray()).ToArray();
        return new ChoiceInstances(fixedOps.Select(o => (o, 1.0)).ToArray(), per);
    }
}

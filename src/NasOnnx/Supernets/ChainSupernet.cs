using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces;
using NasOnnx.Spaces.Chain;
using NasOnnx.Spaces.Darts;
using NasOnnx.Spaces.Nb201;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Supernets;

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
            var (cin, cout, stride) = shapes[i];
            layers.Add(new MixedEdge(space.Decisions[i].Choices, (op, _) => op == ChainSpace.Skip
                ? new IdentityOp()
                : new MBConv(cin, cout, ChainSpace.ParseMb(op).Kernel, ChainSpace.ParseMb(op).Expansion, stride), cout, stride));
        }
        int last = shapes.Count > 0 ? shapes[^1].Out : cfg.StemWidth;
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

/// <summary>Builds the supernet of a space.</summary>
public static class SupernetFactory
{
    public static IReadOnlyList<string> Spaces { get; } = [DartsSpace.SpaceName, Nb201Space.SpaceName, ChainSpace.SpaceName];

    public static Supernet Build(ISearchSpace space, int partialK = 1, int seed = 0)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize();
        if (partialK > 1 && space is not DartsSpace)
            throw new NasOnnxException($"partial channels are an option of the DARTS supernet, not of '{space.Name}'", "set partial_k: 1, or search the darts space");
        return space switch
        {
            DartsSpace d => new DartsSupernet(d, partialK, seed),
            Nb201Space n => new Nb201Supernet(n, seed),
            ChainSpace c => new ChainSupernet(c, seed),
            _ => throw new NasOnnxException($"one-shot search has no supernet for the '{space.Name}' space", $"use one of: {string.Join(", ", Spaces)}"),
        };
    }
}

using NasOnnx.Architectures;
using NasOnnx.Networks;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops;
using NasOnnx.Supernets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasOnnx.Tests.ToySpace;

/// <summary>The toy space as a supernet: one mixed edge per layer over the three ops, alpha group "layer{i}" (1 x 3).</summary>
public sealed class ToySupernet : Supernet
{
    private readonly ConvBn stem;
    private readonly ModuleList<MixedEdge> layers = new();
    private readonly Linear classifier;

    public ToySupernet(ToySpace space, int seed) : base(nameof(ToySupernet), space)
    {
        stem = new ConvBn(new ConvSpec(space.Options.Channels, space.Width, 3, 1, 1));
        for (int i = 0; i < space.Decisions.Count; i++)
            layers.Add(new MixedEdge(space.Decisions[i].Choices, (op, c) => CellOps.Create(op, c, 1), space.Width, 1));
        classifier = nn.Linear(space.Width, space.Options.Classes);
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        var gen = new Generator((ulong)seed + 1);
        for (int i = 0; i < space.Decisions.Count; i++) Arch.AddAlpha($"layer{i}", ["layer"], space.Decisions[i].Choices, gen);
    }

    public override Tensor forward(Tensor x)
    {
        var sel = Select();
        x = stem.call(x);
        for (int i = 0; i < layers.Count; i++) x = layers[i].Run(x, sel[$"layer{i}"][0]) ?? throw new InvalidOperationException("every toy layer runs an op");
        return classifier.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));
    }

    public override Dictionary<string, int[]> PathOf(IArchitecture architecture) =>
        ((ToySpace)Space).ToChoices(architecture).Select((c, i) => (c, i)).ToDictionary(t => $"layer{t.i}", t => new[] { t.c });
}

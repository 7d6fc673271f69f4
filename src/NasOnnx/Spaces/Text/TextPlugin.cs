using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces.Text;

/// <summary>The text space (token sequences): network, latency split, supernet with one alpha row per layer and one for the pooling.</summary>
public sealed class TextPlugin : ISpacePlugin, ISupernetSupport
{
    public string Name => TextSpace.SpaceName;
    public string Description => "TextNAS-style layers over token sequences: conv k1/3/5/7, max/avg pool, attention or GRU per layer, input and skips from the last nodes";

    /// <summary>Any text options will do for capability checks: 1,000 ids, sequences of 64, 2 classes.</summary>
    public SpaceOptions DefaultOptions => SpaceOptions.Text(1000, 64, 2);

    public ISearchSpace Create(SpaceOptions options) => new TextSpace(options);

    /// <summary>With text options, as any space; otherwise from what the JSON says (vocabulary, length, classes), since a
    /// text architecture cannot take image defaults.</summary>
    public IArchitecture Parse(string json, SpaceOptions? defaults) =>
        new TextSpace(defaults is { IsText: true } ? defaults : TextSpace.OptionsOf(json)).Parse(json);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new TextNetwork((TextArchitecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => new TextLatencyModel((TextSpace)space, batch);

    public ISupernetSupport? Supernet => this;

    public Supernet Build(ISearchSpace space, int partialK, int seed) => new TextSupernet((TextSpace)space, seed);

    /// <summary>Depth max_depth, the strongest op per layer reading the previous node, no skips, the strongest pooling.</summary>
    public IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options)
    {
        var text = (TextSpace)space;
        var choices = new int[text.Decisions.Count]; // input choice 0 = the previous node; skips 0 = none
        choices[0] = text.Config.MaxDepth - 1;
        choices[TextSpace.PoolingDecision] = Best(weights, TextSupernet.PoolingGroup);
        for (int i = 0; i < text.Config.MaxDepth; i++) choices[text.OpDecision(i)] = Best(weights, TextSupernet.LayerGroup(i));
        return text.FromChoices(choices);
    }

    private static int Best(ArchSnapshot weights, string group) => AlphaDerivation.Argmax(AlphaDerivation.Probabilities(weights, group)[0], _ => true);

    /// <summary>Group "layer{i}" is decision layer{i}.op, group "pooling" decision pooling: the space's per-decision table maps 1:1
    /// (the supernet has every layer, the case where the split is exact).</summary>
    public ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor)
    {
        var space = (TextSpace)supernet.Space;
        return Supernets.ExpectedLatency.ForDecisionRows(supernet, predictor.ChoiceLatencies(),
            [.. Enumerable.Range(0, space.Config.MaxDepth).Select(i => (TextSupernet.LayerGroup(i), new[] { space.OpDecision(i) })),
             (TextSupernet.PoolingGroup, [TextSpace.PoolingDecision])]);
    }
}

using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Spaces;

namespace NasOnnx.Spaces.Chain;

/// <summary>The mobile chain space: network, exact latency split, supernet with one alpha row per layer.</summary>
public sealed class ChainPlugin : ISpacePlugin, ISupernetSupport
{
    public string Name => ChainSpace.SpaceName;
    public string Description => "ProxylessNAS/FBNet-style chain: MBConv k3/5/7 e3/6 or skip per layer";

    public ISearchSpace Create(SpaceOptions options) => new ChainSpace(options);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new ChainNetwork((ChainArchitecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => new ChainLatencyModel((ChainSpace)space, batch);

    public ISupernetSupport? Supernet => this;

    public Supernet Build(ISearchSpace space, int partialK, int seed) => new ChainSupernet((ChainSpace)space, seed);

    /// <summary>Argmax per layer.</summary>
    public IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options)
    {
        var chain = (ChainSpace)space;
        return chain.FromChoices(chain.Decisions.Select((_, i) => AlphaDerivation.Argmax(AlphaDerivation.Probabilities(weights, $"layer{i}")[0], _ => true)).ToArray());
    }

    /// <summary>Group "layer{i}" is decision i, so the space's per-decision table maps 1:1.</summary>
    public ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor)
    {
        var space = (ChainSpace)supernet.Space;
        return Supernets.ExpectedLatency.ForDecisionRows(supernet, predictor.ChoiceLatencies(),
            [.. space.Decisions.Select((_, i) => ($"layer{i}", new[] { i }))]);
    }
}

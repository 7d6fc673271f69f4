using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Spaces;
using NasOnnx.Supernets;

namespace NasOnnx.Tests.ToySpace;

/// <summary>The toy space's plugin: network and supernet, no latency table (so no latency loss either).</summary>
public sealed class ToyPlugin : ISpacePlugin, ISupernetSupport
{
    public string Name => ToySpace.SpaceName;
    public string Description => "toy space of the tests: skip, conv or pool per layer";

    public ISearchSpace Create(SpaceOptions options) => new ToySpace(options);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new ToyNetwork((ToyArchitecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => null;

    public ISupernetSupport? Supernet => this;

    public Supernet Build(ISearchSpace space, int partialK, int seed) => new ToySupernet((ToySpace)space, seed);

    public IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options)
    {
        var toy = (ToySpace)space;
        return toy.FromChoices(toy.Decisions.Select((_, i) => AlphaDerivation.Argmax(AlphaDerivation.Probabilities(weights, $"layer{i}")[0], _ => true)).ToArray());
    }

    public ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor) =>
        throw new NasOnnxException("the toy space has no latency table", "search it without a latency input");
}

using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;

namespace NasOnnx.Spaces.Text;

/// <summary>The text space (token sequences): network, latency split, supernet with one alpha row per layer and one for the pooling.</summary>
public sealed class TextPlugin : ISpacePlugin
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

    public ISupernetSupport? Supernet => null;
}

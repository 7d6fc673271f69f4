using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces;

/// <summary>What one-shot search needs from a space: its supernet, how architecture weights become one architecture,
/// and how the supernet's architecture parameters map onto the latency table.</summary>
public interface ISupernetSupport
{
    /// <summary>Whether the supernet can send only 1/K of the channels through its ops (PC-DARTS).</summary>
    bool PartialChannels => false;

    /// <summary>The supernet over the space, its weights and architecture parameters drawn from <paramref name="seed"/>.</summary>
    Supernet Build(ISearchSpace space, int partialK, int seed);

    /// <summary>The architecture the weights point at (argmax rules, with the skip cap of <see cref="DeriveOptions.MaxSkip"/>).</summary>
    IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options);

    /// <summary>The supernet's expected latency as a function of its architecture parameters, from a predictor of the same space.</summary>
    ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor);
}

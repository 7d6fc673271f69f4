using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces;

/// <summary>The supernets of the registered spaces that have one.</summary>
public static class SupernetFactory
{
    /// <summary>Spaces one-shot search can search.</summary>
    public static IReadOnlyList<string> Spaces => SpaceRegistry.NamesWhere(p => p.Supernet is not null);

    /// <summary>Spaces whose supernet has partial channels (PC-DARTS).</summary>
    public static IReadOnlyList<string> PartialChannelSpaces => SpaceRegistry.NamesWhere(p => p.Supernet is { PartialChannels: true });

    /// <summary>The space's one-shot support; fails, naming the spaces that have one, for others.</summary>
    public static ISupernetSupport Support(ISearchSpace space) =>
        SpaceRegistry.Of(space).Supernet
        ?? throw new NasOnnxException($"one-shot search has no supernet for the '{space.Name}' space", $"use one of: {string.Join(", ", Spaces)}");

    public static Supernet Build(ISearchSpace space, int partialK = 1, int seed = 0)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize();
        var support = Support(space);
        if (partialK > 1 && !support.PartialChannels)
            throw new NasOnnxException($"partial channels are an option of the {string.Join("/", PartialChannelSpaces)} supernet, not of '{space.Name}'",
                $"set partial_k: 1, or search the {string.Join(" or ", PartialChannelSpaces)} space");
        return support.Build(space, partialK, seed);
    }

    /// <summary>The architecture a search's architecture weights point at (the space's derivation rule).</summary>
    public static IArchitecture Derive(ISearchSpace space, ArchSnapshot weights, DeriveOptions options) => Support(space).Derive(space, weights, options);

    /// <summary>The supernet's expected latency model from a predictor of the same space and options.</summary>
    public static ExpectedLatency ExpectedLatency(Supernet supernet, LatencyPredictor predictor) => Support(supernet.Space).ExpectedLatency(supernet, predictor);
}

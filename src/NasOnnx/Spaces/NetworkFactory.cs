using NasOnnx.Architectures;
using NasOnnx.Networks;

namespace NasOnnx.Spaces;

/// <summary>The discrete network of an architecture of any registered space.</summary>
public static class NetworkFactory
{
    /// <summary>Builds the network; with a seed, its initial weights are reproducible (drawn from a private generator, so
    /// other threads using libtorch's global generator do not disturb them).
    /// Initializes TorchSharp (all cores or NASONNX_THREADS) if nobody has.</summary>
    public static NasNetwork Build(IArchitecture architecture, int? seed = null)
    {
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize(); // keep a thread count someone already chose
        var net = SpaceRegistry.Get(architecture.Space).BuildNetwork(architecture);
        if (seed is int s) NetworkWeights.Initialize(net, s);
        return net;
    }

    /// <summary>Builds the network of <paramref name="architecture"/> with seeded random weights and randomized BN statistics.</summary>
    public static NasNetwork BuildRandom(IArchitecture architecture, int seed)
    {
        var net = Build(architecture, seed);
        NetworkWeights.Randomize(net, seed);
        net.eval();
        return net;
    }
}

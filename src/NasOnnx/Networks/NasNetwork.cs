using NasOnnx.Onnx;
using NasOnnx.Ops;
using NasOnnx.Spaces;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Architectures;

namespace NasOnnx.Networks;

/// <summary>
/// A discrete network built from an <see cref="Architecture"/>: a TorchSharp module (input [N, C, H, W],
/// output logits [N, classes]) that can also write itself as ONNX. Parameter names are stable (field names).
/// </summary>
public abstract class NasNetwork : nn.Module<Tensor, Tensor>, IOnnxEmitter
{
    protected NasNetwork(string name, Architecture architecture) : base(name) => Architecture = architecture;

    public Architecture Architecture { get; }

    public abstract string EmitOnnx(OnnxGraphBuilder g, string input, string name);

    /// <summary>Global average pooling, flatten and the classifier: the common head.</summary>
    protected static Tensor Classify(Tensor x, TorchSharp.Modules.Linear classifier) =>
        classifier.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));

    protected static string EmitClassify(OnnxGraphBuilder g, string x, TorchSharp.Modules.Linear classifier)
    {
        string pooled = g.GlobalAveragePool(x, "gap");
        return g.Gemm(g.Flatten(pooled, "flatten"), classifier, "classifier");
    }

    /// <summary>Trainable parameter count.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}

/// <summary>Builds the network of an architecture.</summary>
public interface INetworkFactory
{
    NasNetwork Build(Architecture architecture);
}

/// <summary>
/// Network builders by space name. A new space registers its builder here (and its space in
/// <see cref="SpaceRegistry"/>); strategies and the exporter need no change.
/// </summary>
public static class NetworkFactory
{
    private static readonly Dictionary<string, Func<Architecture, NasNetwork>> Builders = new(StringComparer.OrdinalIgnoreCase)
    {
        [Spaces.Darts.DartsSpace.SpaceName] = a => new DartsNetwork((Spaces.Darts.DartsArchitecture)a),
        [Spaces.Nb201.Nb201Space.SpaceName] = a => new Nb201Network((Spaces.Nb201.Nb201Architecture)a),
        [Spaces.Chain.ChainSpace.SpaceName] = a => new ChainNetwork((Spaces.Chain.ChainArchitecture)a),
        [Spaces.Macro.MacroSpace.SpaceName] = a => new MacroNetwork((Spaces.Macro.MacroArchitecture)a),
    };
    private static readonly object Gate = new();

    public static void Register(string space, Func<Architecture, NasNetwork> builder)
    {
        lock (Gate) Builders[space] = builder;
    }

    public static INetworkFactory For(string space) => new Factory(Get(space));

    /// <summary>Builds the network; with a seed, its initial weights are reproducible (drawn from a private generator, so
    /// other threads using libtorch's global generator do not disturb them).
    /// Initializes TorchSharp (all cores or NASONNX_THREADS) if nobody has.</summary>
    public static NasNetwork Build(IArchitecture architecture, int? seed = null)
    {
        if (architecture is not Architecture arch)
            throw new NasOnnxException($"Architecture {architecture.ArchId} of space '{architecture.Space}' has no network.", "Only network spaces (darts, nb201, chain, macro) build networks.");
        if (Runtime.TorchRuntime.Threads == 0) Runtime.TorchRuntime.Initialize(); // keep a thread count someone already chose
        var builder = Get(arch.Space);
        var net = builder(arch);
        if (seed is int s) NetworkWeights.Initialize(net, s);
        return net;
    }

    private static Func<Architecture, NasNetwork> Get(string space)
    {
        lock (Gate)
        {
            if (Builders.TryGetValue(space, out var b)) return b;
            throw new NasOnnxException($"No network builder for space '{space}'.", $"Known: {string.Join(", ", Builders.Keys)}. Register one with NetworkFactory.Register.");
        }
    }

    private sealed class Factory(Func<Architecture, NasNetwork> build) : INetworkFactory
    {
        public NasNetwork Build(Architecture architecture) => build(architecture);
    }
}

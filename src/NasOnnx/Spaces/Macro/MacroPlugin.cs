using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Spaces;

namespace NasOnnx.Spaces.Macro;

/// <summary>The macro space: network and latency model; no supernet (its decisions interact: a layer's width is the next
/// layer's input and the depth moves the reductions), so multi-trial search only.</summary>
public sealed class MacroPlugin : ISpacePlugin
{
    public string Name => MacroSpace.SpaceName;
    public string Description => "Macro space: depth, per-layer conv (kernel, width) or pooling, skip connections";

    public ISearchSpace Create(SpaceOptions options) => new MacroSpace(options);

    public NasNetwork BuildNetwork(IArchitecture architecture) => new MacroNetwork((MacroArchitecture)architecture);

    public ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch) => new MacroLatencyModel((MacroSpace)space, batch);

    public ISupernetSupport? Supernet => null;
}

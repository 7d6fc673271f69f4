using System.Text.Json.Nodes;
using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Networks;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces;

/// <summary>
/// Everything the rest of NasOnnx needs to know about one search space, in one place: how to create it, the discrete
/// network of its architectures, its latency breakdown, its supernet (for one-shot search) and how its architectures
/// scale. A space is one folder under Spaces/ with one class implementing this, listed in <see cref="SpaceRegistry"/>;
/// strategies, stages, the exporter and the latency tools ask the registry and never name a space.
/// </summary>
public interface ISpacePlugin
{
    /// <summary>The name pipeline files and architecture JSON use ("darts", "chain", ...).</summary>
    string Name { get; }

    /// <summary>One line for `nasonnx sample --help` and the docs.</summary>
    string Description { get; }

    ISearchSpace Create(SpaceOptions options);

    /// <summary>Options this space accepts, for capability checks when no data is at hand (which spaces have a latency
    /// table, ...). Image spaces: Fashion-MNIST's shape.</summary>
    SpaceOptions DefaultOptions => SpaceOptions.FashionMnist;

    /// <summary>Parses an architecture of this space; fields it omits take <paramref name="defaults"/> (null: the space's
    /// <see cref="DefaultOptions"/>).</summary>
    IArchitecture Parse(string json, SpaceOptions? defaults) => Create(defaults ?? DefaultOptions).Parse(json);

    /// <summary>The discrete network of an architecture of this space (untrained weights).</summary>
    NasNetwork BuildNetwork(IArchitecture architecture);

    /// <summary>How the space's networks decompose into latency-table entries at a batch size; null: no lookup table
    /// (measure whole models with the benchmark stage instead).</summary>
    ISpaceLatencyModel? LatencyModel(ISearchSpace space, int batch);

    /// <summary>Supernet, derivation and expected latency for one-shot search; null: multi-trial search only.</summary>
    ISupernetSupport? Supernet { get; }

    /// <summary>
    /// Rewrites an architecture's "config" for another base width and/or cell count (0: keep), so a genome found at one
    /// scale retrains at another. False when the space's architectures do not scale that way.
    /// </summary>
    bool TryScale(JsonObject config, int width, int cells) => false;
}

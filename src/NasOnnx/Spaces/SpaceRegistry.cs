using NasOnnx.Architectures;
namespace NasOnnx.Spaces;

/// <summary>Creates a space from options. Register one to plug a new space in; strategies and the exporter need no change.</summary>
public interface ISpaceProvider
{
    string Name { get; }
    string Description { get; }
    ISearchSpace Create(SpaceOptions options);
}

/// <summary>Built-in and registered spaces by name, and parsing of any space's architecture JSON.</summary>
public static class SpaceRegistry
{
    private static readonly Dictionary<string, ISpaceProvider> Providers = new(StringComparer.OrdinalIgnoreCase);
    private static readonly object Gate = new();

    static SpaceRegistry()
    {
        Register(new SpaceProvider(Darts.DartsSpace.SpaceName, "DARTS cells (8 ops, normal + reduction cell, 4 nodes x 2 edges)", o => new Darts.DartsSpace(o)));
        Register(new SpaceProvider(Nb201.Nb201Space.SpaceName, "NAS-Bench-201 cell (5 ops on 6 edges, 15,625 cells) in its residual skeleton", o => new Nb201.Nb201Space(o)));
        Register(new SpaceProvider(Chain.ChainSpace.SpaceName, "ProxylessNAS/FBNet-style chain: MBConv k3/5/7 e3/6 or skip per layer", o => new Chain.ChainSpace(o)));
        Register(new SpaceProvider(Macro.MacroSpace.SpaceName, "Macro space: depth, per-layer conv (kernel, width) or pooling, skip connections", o => new Macro.MacroSpace(o)));
    }

    public static IReadOnlyList<string> Names { get { lock (Gate) return Providers.Keys.Order(StringComparer.Ordinal).ToList(); } }

    public static void Register(ISpaceProvider provider)
    {
        lock (Gate) Providers[provider.Name] = provider;
    }

    public static ISpaceProvider Get(string name)
    {
        lock (Gate)
        {
            if (Providers.TryGetValue(name, out var p)) return p;
        }
        throw new NasOnnxException($"Unknown search space '{name}'.", $"Use one of: {string.Join(", ", Names)}.");
    }

    public static ISearchSpace Create(string name, SpaceOptions? options = null) => Get(name).Create(options ?? SpaceOptions.FashionMnist);

    /// <summary>Parses an architecture of any registered space (fields it omits take Fashion-MNIST defaults).</summary>
    public static IArchitecture Parse(string json, SpaceOptions? defaults = null)
    {
        string space = ArchJson.SpaceOf(json, out _);
        return Create(space, defaults).Parse(json);
    }

    /// <summary>Reads an architecture file; errors name the file.</summary>
    public static IArchitecture Load(string path, SpaceOptions? defaults = null)
    {
        if (!File.Exists(path))
            throw new NasOnnxException($"Architecture file not found.", "Check the path, or write one with `nasonnx sample --out ARCH.json`.") { FilePath = path };
        try
        {
            return Parse(File.ReadAllText(path), defaults);
        }
        catch (NasOnnxException e) when (e.FilePath is null)
        {
            throw new NasOnnxException(e.Message, e.Fix, e) { FilePath = path, Stage = e.Stage };
        }
    }

    private sealed record SpaceProvider(string Name, string Description, Func<SpaceOptions, ISearchSpace> Factory) : ISpaceProvider
    {
        public ISearchSpace Create(SpaceOptions options) => Factory(options);
    }
}

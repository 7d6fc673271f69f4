using NasOnnx.Architectures;

namespace NasOnnx.Spaces;

/// <summary>
/// The search spaces NasOnnx knows, by name: the built-in ones listed below, plus any a program or test registers.
/// Adding a space: a folder under Spaces/ with an <see cref="ISpacePlugin"/>, and one line here.
/// </summary>
public static class SpaceRegistry
{
    private static readonly Dictionary<string, ISpacePlugin> Plugins = new(StringComparer.OrdinalIgnoreCase);
    private static readonly object Gate = new();

    static SpaceRegistry()
    {
        Register(new Darts.DartsPlugin());
        Register(new Nb201.Nb201Plugin());
        Register(new Chain.ChainPlugin());
        Register(new Macro.MacroPlugin());
        Register(new Text.TextPlugin());
    }

    /// <summary>The space a search stage (and `bench search`) uses when none is named.</summary>
    public const string DefaultSearchSpace = "darts";

    /// <summary>The space a profile-latency stage profiles when none is named.</summary>
    public const string DefaultLatencySpace = "chain";

    public static IReadOnlyList<string> Names { get { lock (Gate) return Plugins.Keys.Order(StringComparer.Ordinal).ToList(); } }

    /// <summary>Adds (or replaces) a space.</summary>
    public static void Register(ISpacePlugin plugin)
    {
        lock (Gate) Plugins[plugin.Name] = plugin;
    }

    /// <summary>Removes a space (a test's own, when it is done with it).</summary>
    public static void Unregister(string name)
    {
        lock (Gate) Plugins.Remove(name);
    }

    public static ISpacePlugin Get(string name)
    {
        lock (Gate)
        {
            if (Plugins.TryGetValue(name, out var p)) return p;
        }
        throw new NasOnnxException($"Unknown search space '{name}'.", $"Use one of: {string.Join(", ", Names)}.");
    }

    /// <summary>The plugin of a space instance or an architecture's space.</summary>
    public static ISpacePlugin Of(ISearchSpace space) => Get(space.Name);

    /// <summary>Names of the spaces whose plugin satisfies <paramref name="capability"/>.</summary>
    public static IReadOnlyList<string> NamesWhere(Func<ISpacePlugin, bool> capability)
    {
        lock (Gate) return Plugins.Values.Where(capability).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
    }

    public static ISearchSpace Create(string name, SpaceOptions? options = null)
    {
        var plugin = Get(name);
        options ??= plugin.DefaultOptions;
        if (options.IsText != plugin.DefaultOptions.IsText)
            throw new NasOnnxException(
                options.IsText ? $"the '{name}' space takes images, the data is text (token ids)" : $"the '{name}' space takes text (token ids), the data is images",
                $"use a space for {(options.IsText ? "text" : "images")}: {string.Join(", ", Names.Where(n => Get(n).DefaultOptions.IsText == options.IsText))}");
        return plugin.Create(options);
    }

    /// <summary>Parses an architecture of any registered space (fields it omits take <paramref name="defaults"/>, else the
    /// space's own defaults: Fashion-MNIST's shape for image spaces).</summary>
    public static IArchitecture Parse(string json, SpaceOptions? defaults = null)
    {
        string space = ArchJson.SpaceOf(json, out _);
        var plugin = Get(space);
        // The JSON carries its own input and config; defaults of the other modality (e.g. image defaults for a text architecture) do not apply.
        return plugin.Parse(json, defaults is not null && defaults.IsText == plugin.DefaultOptions.IsText ? defaults : null);
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
}

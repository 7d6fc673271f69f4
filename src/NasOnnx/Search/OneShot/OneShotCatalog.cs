namespace NasOnnx.Search.OneShot;

/// <summary>
/// Every one-shot algorithm NasOnnx ships, in the order strategy lists show them. Adding one: write a subclass of
/// <see cref="OneShotAlgorithm"/> that overrides what differs, and add a line here; the search stage
/// (<see cref="StrategyCatalog"/>) and `nasonnx bench search --mode` (<see cref="SearchStepBench"/>) both read this list.
/// </summary>
public static class OneShotCatalog
{
    public static IReadOnlyList<OneShotAlgorithm> All { get; } =
    [
        new DartsFirstOrder(),
        new DartsSecondOrder(),
        new Gdas(),
        new PcDarts(),
        new Spos(),
    ];

    /// <summary>The algorithms' names, as pipeline files and `bench search --mode` spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(a => a.Name)];

    /// <summary>The algorithm called <paramref name="name"/>; null when there is none.</summary>
    public static OneShotAlgorithm? Find(string name) => All.FirstOrDefault(a => a.Name == name);
}

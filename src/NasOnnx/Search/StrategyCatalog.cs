namespace NasOnnx.Search;

/// <summary>Every search strategy NasOnnx ships, by name. Adding one: write the class, add it here (a one-shot algorithm: to <see cref="OneShot.OneShotCatalog"/>).</summary>
public static class StrategyCatalog
{
    public static IReadOnlyList<ISearchStrategy> All() =>
    [
        new MultiTrial.RandomStrategy(),
        new MultiTrial.EvolutionStrategy(),
        new MultiTrial.ReinforceStrategy(),
        .. OneShot.OneShotCatalog.All,
    ];

    public static ISearchStrategy Get(string name) =>
        All().FirstOrDefault(s => s.Name == name)
        ?? throw new NasOnnxException($"unknown search strategy '{name}'", $"use one of: {string.Join(", ", All().Select(s => s.Name))}");
}

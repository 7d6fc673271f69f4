namespace NasOnnx.Search;

/// <summary>One objective taken as it is (by default "accuracy").</summary>
public sealed class SingleObjective(string key = "accuracy") : IObjective
{
    public string Name => key;

    public double Score(IReadOnlyDictionary<string, double> objectives) => Objectives.Get(objectives, key);
}

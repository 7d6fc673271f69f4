using System.Globalization;

namespace NasOnnx.Search;

/// <summary>
/// MnasNet-style trade-off: accuracy * (cost / target)^w. Soft (default): w applies everywhere, so smaller
/// models earn a little and bigger ones lose a little (w = -0.07 in the paper). Hard: w = 0 under the target
/// and <see cref="HardWeight"/> (-1) over it.
/// </summary>
public sealed class CostAwareObjective(string cost, double target, double weight = -0.07, bool hard = false, string accuracy = "accuracy") : IObjective
{
    public const double HardWeight = -1.0;

    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"{accuracy}*({cost}/{target:G6})^{(hard ? "hard" : weight.ToString("G4", CultureInfo.InvariantCulture))}");

    public double Score(IReadOnlyDictionary<string, double> objectives)
    {
        double acc = Objectives.Get(objectives, accuracy);
        double ratio = Objectives.Get(objectives, cost) / target;
        double w = hard ? (ratio <= 1 ? 0 : HardWeight) : weight;
        return ratio <= 0 ? acc : acc * Math.Pow(ratio, w);
    }
}

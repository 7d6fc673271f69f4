using System.Globalization;
using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Search.Latency;

/// <summary>
/// Refuses a latency target the space cannot meet, before any training: if even the fastest architecture
/// (<see cref="FastestArchitecture"/>) is predicted over the limit, every candidate would be rejected or penalized
/// and the search would spend its whole budget for nothing.
/// </summary>
public static class LatencyTargetCheck
{
    /// <param name="targetMs">latency_target (T).</param>
    /// <param name="margin">latency_margin: the limit is T x margin.</param>
    public static FastestResult EnsureReachable(ISearchSpace space, ILatencyPredictor predictor, double targetMs, double margin = 1.0)
    {
        var fastest = FastestArchitecture.Find(space, predictor);
        double limit = targetMs * margin;
        if (fastest.Ms <= limit) return fastest;
        string Ms(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        string limitText = margin == 1.0 ? $"latency_target {Ms(targetMs)} ms" : $"latency_target {Ms(targetMs)} ms x latency_margin {margin.ToString("0.###", CultureInfo.InvariantCulture)} = {Ms(limit)} ms";
        string suggestion = (fastest.Ms * 1.1 / margin).ToString("0.###", CultureInfo.InvariantCulture);
        throw new NasOnnxException(
            $"the latency target is unreachable: the fastest architecture the '{space.Name}' space can produce is predicted at {Ms(fastest.Ms)} ms " +
            $"({fastest.Method}{(fastest.Exact ? ", exact" : "")}; architecture {fastest.Architecture.ArchId}), above {limitText}",
            $"raise latency_target to at least {Ms(fastest.Ms / margin)} ms (e.g. --set latency_target={suggestion}), or make the space's networks smaller " +
            "(width/depth of both the profile-latency and the search stage)");
    }
}

namespace NasOnnx.Artifacts;

/// <summary>
/// What the rank check found: Kendall tau between the two accuracy rankings over <see cref="Architectures"/>, and
/// over the architectures that learned at all (<see cref="KendallTauAboveChance"/>, null when fewer than 3 did).
/// </summary>
/// <remarks>
/// A random cell can compute a constant (e.g. NAS-Bench-201 with only `none` into the output node): both scores put it
/// at chance level and last, an agreement that says nothing about ranking the cells worth choosing between.
/// </remarks>
public sealed record RankCheckResult(int Architectures, double KendallTau, double SupernetMean, double StandAloneMean,
    int AtChanceLevel = 0, double? KendallTauAboveChance = null);

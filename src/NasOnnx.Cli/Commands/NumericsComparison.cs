using NasOnnx.Runtime;

namespace NasOnnx.Cli.Commands;

/// <summary>What the benches' --compare-numerics runs: the three configurations, in this order each round.</summary>
internal static class NumericsComparison
{
    public static IReadOnlyList<NumericsConfiguration> Configurations { get; } =
        [NumericsConfiguration.Default, NumericsConfiguration.Safe];

    public static void RequireSwitch()
    {
        if (!LibTorchSwitches.Available)
            throw new NasOnnxException("libtorch's oneDNN switch cannot be reached on this platform", "run without --compare-numerics");
    }
}

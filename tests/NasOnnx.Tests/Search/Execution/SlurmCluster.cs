using NasOnnx.Pipeline;
using NasOnnx.Search.Execution;

namespace NasOnnx.Tests.Search.Execution;

/// <summary>
/// Whether a Slurm cluster answers here (CI starts a single-node one with tests/tools/slurm-start.sh). Tests that need one
/// skip with the reason when it does not, unless NASONNX_REQUIRE_SLURM=1 (set by CI): then a missing cluster fails them.
/// </summary>
public static class SlurmCluster
{
    public const string RequireVariable = "NASONNX_REQUIRE_SLURM";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        var (code, stdout, stderr) = SlurmClient.Run("sinfo", ["-h", "-o", "%t"], throwIfMissing: false);
        if (code == 127) return "Slurm is not installed (no sinfo); run tests/tools/slurm-start.sh as root";
        if (code != 0) return $"sinfo failed: {stderr.Trim()}; run tests/tools/slurm-start.sh as root";
        var states = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return states.Any(s => s.StartsWith("idle", StringComparison.Ordinal) || s.StartsWith("mix", StringComparison.Ordinal) || s.StartsWith("alloc", StringComparison.Ordinal))
            ? null : $"no Slurm node is up (sinfo: {string.Join(", ", states)}); run tests/tools/slurm-start.sh as root";
    });

    /// <summary>Skips the test when there is no cluster, or fails it where CI demands one.</summary>
    public static void Require()
    {
        if (Missing.Value is not { } reason) return;
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            Assert.Fail($"{RequireVariable}=1 but {reason}");
        Skip.If(true, reason);
    }
}

using System.Reflection;

namespace NasOnnx.Cli;

internal static class VersionInfo
{
    /// <summary>"0.1.0+abc1234": the package version and the commit it was built from (SourceRevisionId, set by the build).</summary>
    public static string Describe() =>
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

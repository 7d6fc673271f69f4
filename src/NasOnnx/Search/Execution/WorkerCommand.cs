using System.Reflection;

namespace NasOnnx.Search.Execution;

/// <summary>
/// How to start the `nasonnx` command line in a worker process or a Slurm job: this very program when it is nasonnx
/// (the apphost, or `dotnet exec nasonnx.dll`), else the nasonnx.dll beside this library (tests, other hosts).
/// NASONNX_WORKER overrides it (a command line split on spaces), e.g. for a cluster where nasonnx lives elsewhere.
/// </summary>
public static class WorkerCommand
{
    public const string Variable = "NASONNX_WORKER";

    public static IReadOnlyList<string> Resolve()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } custom)
            return custom.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? process = Environment.ProcessPath;
        var entry = Assembly.GetEntryAssembly();
        if (entry?.GetName().Name == "nasonnx" && process is not null)
            return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, "exec", entry.Location] : [process];
        string dll = Path.Combine(AppContext.BaseDirectory, "nasonnx.dll");
        if (!File.Exists(dll))
            throw new NasOnnxException($"cannot find the nasonnx command for worker processes (looked for {dll})",
                $"set {Variable} to the command that starts nasonnx, e.g. \"dotnet exec /path/to/nasonnx.dll\"");
        return [DotnetHost(), "exec", dll];
    }

    private static string DotnetHost()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        return "dotnet";
    }

    /// <summary>A command line as one shell-safe string (for a Slurm batch script).</summary>
    public static string Shell(IEnumerable<string> words) => string.Join(" ", words.Select(Quote));

    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}

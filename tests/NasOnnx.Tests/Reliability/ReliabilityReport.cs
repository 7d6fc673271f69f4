using System.Text;

namespace NasOnnx.Tests.Reliability;

/// <summary>
/// Collects every damaged-input case of the test run and writes them as CSV (kind, command, mutation, case, outcome,
/// exit code, message) to NASONNX_RELIABILITY_REPORT, or artifacts/reliability.csv under the repository root, so the
/// counts can be quoted. Rewritten after each test, so it is complete whichever subset of tests ran.
/// </summary>
public static class ReliabilityReport
{
    public const string Variable = "NASONNX_RELIABILITY_REPORT";
    private static readonly List<BadInputResult> Results = [];

    public static void Add(BadInputResult result)
    {
        lock (Results) Results.Add(result);
    }

    public static string Path
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env) return env;
            string dir = AppContext.BaseDirectory;
            while (!File.Exists(System.IO.Path.Combine(dir, "NasOnnx.sln")))
                dir = System.IO.Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no NasOnnx.sln above the tests");
            return System.IO.Path.Combine(dir, "artifacts", "reliability.csv");
        }
    }

    /// <summary>Writes the CSV and returns a summary table: per kind, the count of each outcome.</summary>
    public static string Write()
    {
        List<BadInputResult> all;
        lock (Results) all = [.. Results];
        var csv = new StringBuilder("kind,command,mutation,case,outcome,exit_code,message\n");
        foreach (var r in all)
            csv.Append($"{r.Kind},{r.Command},{r.Mutation},{r.Case},{r.Outcome},{r.ExitCode},\"{r.Message.Replace("\"", "\"\"")}\"\n");
        string path = Path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, csv.ToString());
        return Summary(all) + $"\n(all cases: {path})";
    }

    public static string Summary(IEnumerable<BadInputResult> results)
    {
        var sb = new StringBuilder();
        foreach (var kind in results.GroupBy(r => (r.Kind, r.Command)))
        {
            var counts = kind.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
            sb.AppendLine($"{kind.Key.Kind,-22} {kind.Key.Command,-22} {kind.Count(),4} cases: {string.Join(", ", counts)}");
        }
        return sb.ToString();
    }
}

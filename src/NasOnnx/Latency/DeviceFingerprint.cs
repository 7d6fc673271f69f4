using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

/// <summary>
/// What a latency number depends on besides the model: the CPU, how many cores it has and how many threads ORT
/// used, the ONNX Runtime version and execution provider, the batch, the opset and the graph optimization level.
/// Lookup tables are reusable only under an equal fingerprint (<see cref="Id"/>).
/// </summary>
public sealed record DeviceFingerprint(string CpuModel, int LogicalCores, int Threads, string OrtVersion, string ExecutionProvider, int Batch, long Opset, string GraphOptimization, bool DenormalAsZero = true, string Clock = "wall", string TableMethod = "", string Statistic = "p50")
{
    /// <summary>Bumped when the harness changes in a way that changes what it measures.</summary>
    public const int HarnessVersion = 3;

    /// <summary>The canonical text the id hashes.</summary>
    public string Canonical => string.Join("|", "v" + HarnessVersion, CpuModel, LogicalCores.ToString(CultureInfo.InvariantCulture), "threads=" + Threads.ToString(CultureInfo.InvariantCulture),
        "ort=" + OrtVersion, "ep=" + ExecutionProvider, "batch=" + Batch.ToString(CultureInfo.InvariantCulture), "opset=" + Opset.ToString(CultureInfo.InvariantCulture), "opt=" + GraphOptimization, "daz=" + (DenormalAsZero ? "1" : "0"), "clock=" + Clock, "table=" + TableMethod, "stat=" + Statistic);

    /// <summary>A short stable hash of <see cref="Canonical"/>; names the cache file of a lookup table.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical)))[..16];

    public override string ToString() => $"{CpuModel}, {LogicalCores} cores, {Threads} thread(s), ORT {OrtVersion} {ExecutionProvider}, batch {Batch}, opset {Opset}, opt {GraphOptimization}{(DenormalAsZero ? ", denormals as zero" : "")}, {Clock} clock{(TableMethod.Length > 0 ? ", table " + TableMethod : "")}{(Statistic == "p50" ? "" : ", " + Statistic)}";

    public static DeviceFingerprint Capture(BenchmarkOptions options, long opset) =>
        new(ReadCpuModel(), Environment.ProcessorCount, options.Threads, ReadOrtVersion(), options.ExecutionProvider.ToString().ToLowerInvariant(), options.Batch, opset, options.GraphOptimization.ToString(), options.DenormalAsZero, options.Clock == LatencyClock.ThreadCpu ? "cpu" : "wall", Statistic: options.Statistic);

    public static string ReadOrtVersion() => OrtEnv.Instance().GetVersionString();

    /// <summary>"model name" from /proc/cpuinfo (Linux), else the processor architecture.</summary>
    public static string ReadCpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int i and > 0)
                        return line[(i + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg), or null where unknown. Recorded beside every measurement.</summary>
    public static double[]? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            var parts = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string LoadAverageText() => LoadAverage() is { } l ? string.Join(" ", l.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture))) : "unknown";
}

using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

/// <summary>How a model is measured: batch, ORT threads, execution provider, graph optimization, warm-up and timed runs.</summary>
public sealed record BenchmarkOptions
{
    public int Batch { get; init; } = 1;

    /// <summary>ORT intra-op threads (inter-op is 1, execution sequential).</summary>
    public int Threads { get; init; } = 1;

    public ExecutionProviderKind ExecutionProvider { get; init; } = ExecutionProviderKind.Cpu;
    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public int Warmup { get; init; } = 20;
    public int Runs { get; init; } = 200;

    /// <summary>
    /// Flush denormal floats to zero (ORT's session.set_denormal_as_zero). On by default: random-weight models can
    /// drive activations into the denormal range, where x86 arithmetic is many times slower, which would make the
    /// latency depend on the weights rather than the architecture.
    /// </summary>
    public bool DenormalAsZero { get; init; } = true;

    /// <summary>The clock whose statistics are reported as the latency (both are recorded).</summary>
    public LatencyClock Clock { get; init; } = LatencyClock.Wall;

    /// <summary>The statistic lookup tables and validation use as "the" latency: p50 (default), p10 or min.</summary>
    public string Statistic { get; init; } = "p50";

    /// <summary>Tokens per sequence for a text model (null: the length in its metadata, what it was trained at).</summary>
    public int? SequenceLength { get; init; }

    /// <summary>Seed of the random input values.</summary>
    public int Seed { get; init; } = 1;

    public static ExecutionProviderKind ParseProvider(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionProviderKind.Cpu,
        "cuda" or "gpu" => ExecutionProviderKind.Cuda,
        _ => throw new NasOnnxException($"Unknown execution provider '{text}'.", "Use --ep cpu or --ep cuda."),
    };

    public static LatencyClock ParseClock(string text) => text.Trim().ToLowerInvariant() switch
    {
        "wall" => LatencyClock.Wall,
        "cpu" or "thread-cpu" => LatencyClock.ThreadCpu,
        _ => throw new NasOnnxException($"Unknown latency clock '{text}'.", "Use wall (elapsed time) or cpu (thread CPU time, steadier under load)."),
    };

    public static GraphOptimizationLevel ParseOptimization(string text) => text.Trim().ToLowerInvariant() switch
    {
        "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
        "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "none" or "disable" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        _ => throw new NasOnnxException($"Unknown graph optimization level '{text}'.", "Use all (default), extended, basic or none."),
    };

    public void Validate()
    {
        if (Batch < 1) throw new NasOnnxException($"Batch {Batch} is not positive.", "Use a batch of 1 or more.");
        if (Threads < 1) throw new NasOnnxException($"Threads {Threads} is not positive.", "Use 1 or more threads (1 gives the steadiest numbers).");
        if (Warmup < 0) throw new NasOnnxException($"Warm-up {Warmup} is negative.", "Use 0 or more warm-up runs.");
        if (Clock == LatencyClock.ThreadCpu && Threads != 1)
            throw new NasOnnxException($"The cpu clock measures the calling thread only, so it needs 1 thread (got {Threads}).", "Use --threads 1 with the cpu clock, or the wall clock.");
        if (Clock == LatencyClock.ThreadCpu && !OperatingSystem.IsLinux())
            throw new NasOnnxException("The cpu clock (thread CPU time) is implemented on Linux only.", "Use the wall clock.");
        if (!LatencyStats.Statistics.Contains(Statistic))
            throw new NasOnnxException($"Unknown latency statistic '{Statistic}'.", $"Use one of: {string.Join(", ", LatencyStats.Statistics)}.");
        if (Runs < 1) throw new NasOnnxException($"Runs {Runs} is not positive.", "Use 1 or more timed runs (100+ for stable percentiles).");
    }
}

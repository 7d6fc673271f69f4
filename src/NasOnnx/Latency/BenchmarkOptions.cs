using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

public enum ExecutionProviderKind { Cpu, Cuda }

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

    /// <summary>Seed of the random input values.</summary>
    public int Seed { get; init; } = 1;

    public static ExecutionProviderKind ParseProvider(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionProviderKind.Cpu,
        "cuda" or "gpu" => ExecutionProviderKind.Cuda,
        _ => throw new NasOnnxException($"Unknown execution provider '{text}'.", "Use --ep cpu or --ep cuda."),
    };

    public void Validate()
    {
        if (Batch < 1) throw new NasOnnxException($"Batch {Batch} is not positive.", "Use a batch of 1 or more.");
        if (Threads < 1) throw new NasOnnxException($"Threads {Threads} is not positive.", "Use 1 or more threads (1 gives the steadiest numbers).");
        if (Warmup < 0) throw new NasOnnxException($"Warm-up {Warmup} is negative.", "Use 0 or more warm-up runs.");
        if (Runs < 1) throw new NasOnnxException($"Runs {Runs} is not positive.", "Use 1 or more timed runs (100+ for stable percentiles).");
    }
}

using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Latency;
using NasOnnx.Architectures;

namespace NasOnnx.Search;

/// <summary>What a strategy gets: the space, the data, its params, seed, log and folders (not the pipeline itself).</summary>
public sealed class SearchContext
{
    public required IParamReader Params { get; init; }
    public required ISearchSpace Space { get; init; }
    public required string SpaceName { get; init; }
    public required SpaceOptions SpaceOptions { get; init; }

    /// <summary>The prepared dataset (loaded on first use, so strategies on fake spaces never touch data).</summary>
    public required Lazy<LoadedData> Data { get; init; }

    /// <summary>
    /// The latency predictor of a profile-latency stage given as the search stage's `latency` input, or null. Strategies
    /// use it for latency objectives, cheap pre-rejection (multi-trial) and the expected-latency loss (one-shot). Its
    /// space options must equal <see cref="SpaceOptions"/> (checked by the search stage).
    /// </summary>
    public LatencyPredictor? Latency { get; init; }

    /// <summary>Where the strategy keeps resumable state; survives a killed run, removed after the stage completes.</summary>
    public required string StateDir { get; init; }

    /// <summary>Where logs (search_log.csv, plots) go; published with the stage.</summary>
    public required string OutputDir { get; init; }

    /// <summary>
    /// What a trial worker process needs to rebuild this context (the search stage's context, written down by the pipeline),
    /// for executors that evaluate trials in other processes; null when the search does not run from a pipeline.
    /// </summary>
    public System.Text.Json.JsonElement? WorkerContext { get; init; }

    /// <summary>The `initial_architectures` files, resolved (multi-trial strategies evaluate them first).</summary>
    public IReadOnlyList<string> InitialArchitectureFiles { get; init; } = [];

    public required long Seed { get; init; }
    public required IRunLog Log { get; init; }
    public CancellationToken Cancellation { get; init; }
}

using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>What a trial worker is told (spec.json) and what it answers (result.json), in the trial's folder.</summary>
public sealed record TrialSpec
{
    public const string FileName = "spec.json";

    /// <summary>The search stage's context (a pipeline StageContextSpec): the worker rebuilds the same evaluator from it.</summary>
    public required JsonElement Stage { get; init; }
    public required JsonElement Architecture { get; init; }
    public required int Rung { get; init; }
    /// <summary>The trial's number and attempt (1 first), for the worker's log.</summary>
    public int Number { get; init; }
    public int Attempt { get; init; } = 1;
    /// <summary>Torch intra-op threads of the worker.</summary>
    public required int Threads { get; init; }
    /// <summary>Where the worker writes <see cref="TrialResult"/> (atomically: it exists only complete).</summary>
    public required string Result { get; init; }

    public void Save(string path) => AtomicWrite.Text(path, JsonSerializer.Serialize(this, SnakeJson.Options));

    public static TrialSpec Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrialSpec>(File.ReadAllText(path), SnakeJson.Options) ?? throw new JsonException("empty document");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new NasOnnxException($"cannot read the trial spec {path}: {e.Message}", "trial specs are written by a search's processes or slurm executor; re-run the search") { FilePath = path };
        }
    }
}

/// <summary>A worker's answer: objectives, or how its training diverged (the divergence's parts, so the driver's cache keeps them).</summary>
public sealed record TrialResult
{
    public const string FileName = "result.json";

    public required string Status { get; init; }
    public SortedDictionary<string, double>? Objectives { get; init; }
    public string? Failure { get; init; }
    public string? Loop { get; init; }
    public string? What { get; init; }
    public string? Where { get; init; }
    /// <summary>Seconds the worker spent (process start to result), for the executor benchmark.</summary>
    public double Seconds { get; init; }
    public string? Host { get; init; }
    /// <summary>When the worker process started (UTC) and when it wrote this result.</summary>
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }

    public void Save(string path) => AtomicWrite.Text(path, JsonSerializer.Serialize(this, SnakeJson.Options));

    /// <summary>The result, or null when there is none yet or it cannot be read (a worker never leaves half a file: atomic write).</summary>
    public static TrialResult? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrialResult>(File.ReadAllText(path), SnakeJson.Options);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    public TrialOutcome ToOutcome() => (Status switch
    {
        Trial.Ok when Objectives is not null => TrialOutcome.Ok(Objectives),
        Trial.Diverged => TrialOutcome.Diverged(Failure ?? "diverged"),
        _ => TrialOutcome.JobFailed(Failure ?? $"the worker answered status '{Status}'"),
    }) with { Started = Started, Finished = Finished, Host = Host };
}

using System.Text.RegularExpressions;

namespace NasOnnx.Reporting.Cards;

/// <summary>What `nasonnx publish` was asked to do.</summary>
public sealed record PublishOptions
{
    public required string Name { get; init; }
    /// <summary>The models/ folder (default: models/ under the project root).</summary>
    public required string ModelsDir { get; init; }
    /// <summary>The pipeline file as the card names it (relative to the project root); default: from the lock.</summary>
    public string? Pipeline { get; init; }
    public string? ExportStage { get; init; }
    public string? EvaluationStage { get; init; }
    public string? BenchmarkStage { get; init; }
    public string? Description { get; init; }
    /// <summary>Without a benchmark stage: measure the latency now (1 thread, batch 1, 30 warm-up and 300 timed runs).</summary>
    public bool MeasureLatency { get; init; }
    /// <summary>Replace an existing models/&lt;name&gt;/.</summary>
    public bool Force { get; init; }
}

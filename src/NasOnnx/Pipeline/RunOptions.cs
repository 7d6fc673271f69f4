using NasOnnx.Reporting;
using NasOnnx.Runtime;

namespace NasOnnx.Pipeline;

public sealed record RunOptions
{
    /// <summary>Folder that holds one subfolder per pipeline (default: runs/ under the project root).</summary>
    public string? RunsDir { get; init; }
    /// <summary>Stages to re-run even if up to date (everything after them re-runs too).</summary>
    public IReadOnlyList<string> Force { get; init; } = [];
    /// <summary>Start here: earlier stages are taken as they are, this one and all later ones re-run.</summary>
    public string? From { get; init; }
    /// <summary>Overrides: "stage.param=value" for one stage, "param=value" for every stage that has the param.</summary>
    public IReadOnlyList<string> Sets { get; init; } = [];
    public CancellationToken Cancellation { get; init; }
}

using System.Text.Json;
using NasOnnx.Supernets;
using NasOnnx.Artifacts;

namespace NasOnnx.Search.OneShot;

/// <summary>search.json's payload of a one-shot search: the final architecture weights, and SPOS' evolved best.</summary>
public sealed record OneShotPayload
{
    public required ArchSnapshot Arch { get; init; }
    public int PartialK { get; init; } = 1;
    /// <summary>SPOS: the best architecture found by evolution (JSON), with its accuracy on the architecture half.</summary>
    public JsonElement? SposBest { get; init; }
    public double? SposAccuracy { get; init; }
    /// <summary>SPOS with spos_rank_archs: Kendall tau between supernet and stand-alone accuracy (rank_correlation.csv).</summary>
    public RankCheckResult? RankCheck { get; init; }
    /// <summary>With a latency input: the supernet's final expected latency (ms), the loss form and its reference T (ms).</summary>
    public double? ExpectedLatencyMs { get; init; }
    public string? LatencyLoss { get; init; }
    public double? LatencyTargetMs { get; init; }
}

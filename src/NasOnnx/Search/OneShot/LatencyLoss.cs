using NasOnnx.Runtime;
using System.Globalization;
using NasOnnx.Supernets;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// The latency term of the architecture step (weights steps never see it). Forms, with E = the supernet's expected
/// latency (<see cref="ExpectedLatency"/>, ms):
/// <list type="bullet">
/// <item>proxyless: L = CE + lambda (E - T) / T: ProxylessNAS' "add#linear" regularizer (Cai et al., ICLR 2019; their
/// code's default lambda 0.2). The - T only shifts the value (zero at the target); the gradient is lambda / T dE.
/// T = latency_target, or, when 0, the expected latency of uniform architecture weights (the supernet at the start),
/// so the term reads as the relative change from the start.</item>
/// <item>fbnet: L = CE * alpha * (ln E)^beta with E in microseconds: FBNet's loss (Wu et al., CVPR 2019, eq. 6, alpha 0.2,
/// beta 0.6). FBNet's latencies were phone milliseconds (10-100); ours are 0.1-5 ms on a CPU, whose logarithm in ms is
/// near or below 0 and makes the power undefined, so the unit is 1 us (ln E about 5-8). latency_target is unused. The
/// latency pressure relative to CE is beta dE / (E ln E): beta sets the strength; alpha scales the whole loss, which
/// Adam (the architecture optimizer) largely normalizes away.</item>
/// </list>
/// Stateless apart from its settings: a resumed search recomputes it from the same params and table.
/// </summary>
public sealed class LatencyLoss
{
    public LatencyLoss(ExpectedLatency expected, LatencyLossKind kind, double weight, double targetMs, double beta)
    {
        Expected = expected;
        Kind = kind;
        Weight = weight;
        Beta = beta;
        TargetMs = targetMs > 0 ? targetMs : expected.UniformMs();
    }

    public ExpectedLatency Expected { get; }
    public LatencyLossKind Kind { get; }
    public double Weight { get; }
    public double Beta { get; }
    /// <summary>T (ms): latency_target, or the uniform supernet's expected latency when that is 0.</summary>
    public double TargetMs { get; }

    /// <summary>Microseconds per millisecond: FBNet's log is taken of the latency in us.</summary>
    public const double UsPerMs = 1000;

    /// <summary>The architecture step's loss from its cross-entropy and the current architecture parameters.</summary>
    public Tensor Apply(Tensor crossEntropy, ArchParameters arch) =>
        Kind == LatencyLossKind.None ? crossEntropy : Combine(crossEntropy, Expected.Compute(arch).to_type(crossEntropy.dtype));

    /// <summary>The loss form on tensors (both 0-d).</summary>
    public Tensor Combine(Tensor crossEntropy, Tensor expectedMs)
    {
        // Every Scalar held for its call (see HeldScalars): this runs every architecture step.
        using var target = TargetMs.ToScalar();
        using var weight = Weight.ToScalar();
        using var usPerMs = UsPerMs.ToScalar();
        using var floor = (1.0 + 1e-6).ToScalar();
        using var beta = Beta.ToScalar();
        return Kind switch
        {
            LatencyLossKind.Proxyless => crossEntropy.Plus(expectedMs.sub(target).div(target).mul(weight)),
            // clamp: ln of a latency below 1 us would be negative (no real model is that fast)
            LatencyLossKind.Fbnet => crossEntropy.mul(expectedMs.mul(usPerMs).clamp_min(floor).log().pow(beta).mul(weight)),
            _ => crossEntropy,
        };
    }

    /// <summary>The same forms on numbers (logs and tests).</summary>
    public double Combine(double crossEntropy, double expectedMs) => Kind switch
    {
        LatencyLossKind.Proxyless => crossEntropy + Weight * (expectedMs - TargetMs) / TargetMs,
        LatencyLossKind.Fbnet => crossEntropy * Weight * Math.Pow(Math.Log(Math.Max(expectedMs * UsPerMs, 1.0 + 1e-6)), Beta),
        _ => crossEntropy,
    };

    public string Describe() => Kind switch
    {
        LatencyLossKind.Proxyless => string.Create(CultureInfo.InvariantCulture, $"proxyless: CE + {Weight:G4} (E[LAT] - {TargetMs:0.000} ms) / {TargetMs:0.000} ms"),
        LatencyLossKind.Fbnet => string.Create(CultureInfo.InvariantCulture, $"fbnet: CE * {Weight:G4} * ln(E[LAT] in us)^{Beta:G4}"),
        _ => "none",
    };

    public static LatencyLossKind Parse(string? name) => name switch
    {
        null or "none" => LatencyLossKind.None,
        "proxyless" => LatencyLossKind.Proxyless,
        "fbnet" => LatencyLossKind.Fbnet,
        _ => throw new ArgumentException($"unknown latency loss '{name}'", nameof(name)),
    };
}

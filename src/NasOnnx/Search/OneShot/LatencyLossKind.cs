namespace NasOnnx.Search.OneShot;

/// <summary>How the architecture step's loss adds the supernet's expected latency (param <c>latency_loss</c>).</summary>
public enum LatencyLossKind
{
    /// <summary>Cross-entropy alone.</summary>
    None,
    /// <summary>ProxylessNAS, additive: CE + lambda (E[LAT] - T) / T.</summary>
    Proxyless,
    /// <summary>FBNet, multiplicative: CE * alpha * (ln E[LAT in us])^beta.</summary>
    Fbnet,
}

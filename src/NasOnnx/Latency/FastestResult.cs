using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>The fastest architecture found and its predicted latency; <see cref="Method"/> says how it was found (and whether it is exact).</summary>
public sealed record FastestResult(IArchitecture Architecture, double Ms, string Method, bool Exact);

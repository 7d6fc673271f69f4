using NasOnnx.Reporting;
using Onnx;

namespace NasOnnx.Latency;

/// <summary>What a profiling pass did: how many ops were measured now, reused from the cache, or cost nothing.</summary>
public sealed record ProfileResult(LatencyTable Table, string CachePath, int Candidates, int Measured, int Reused, int NoNodes);

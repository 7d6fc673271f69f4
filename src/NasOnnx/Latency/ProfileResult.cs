using Google.Protobuf;
using NasOnnx.Networks;
using NasOnnx.Onnx;
using NasOnnx.Reporting;
using Onnx;
using TorchSharp;
using NasOnnx.Core;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>What a profiling pass did: how many ops were measured now, reused from the cache, or cost nothing.</summary>
public sealed record ProfileResult(LatencyTable Table, string CachePath, int Candidates, int Measured, int Reused, int NoNodes);

using Onnx;

namespace NasOnnx.Onnx;

/// <summary>The outcome of an export.</summary>
public sealed record ExportResult(string Path, string Space, string ArchId, long FileBytes, long Parameters, long Macs, int Nodes, TimeSpan Elapsed, VerifyResult? Verification);

using Onnx;

namespace NasOnnx.Onnx;

/// <summary>What <c>nasonnx inspect</c> reports about a model.</summary>
public sealed record OnnxInspection(
    string Path,
    long FileBytes,
    long IrVersion,
    long Opset,
    string Producer,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs,
    IReadOnlyDictionary<string, int> OpCounts,
    int Nodes,
    long GraphParameters,
    long TrainedParameters,
    long Macs,
    IReadOnlyList<string> UnknownShapeOps,
    IReadOnlyDictionary<string, string> Metadata);

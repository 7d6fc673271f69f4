using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Onnx;

/// <summary>
/// Largest differences between TorchSharp and ONNX Runtime outputs. <see cref="MaxRelDiff"/> is the largest
/// absolute difference divided by the largest absolute TorchSharp output (a scale-free error).
/// </summary>
public sealed record VerifyResult(double MaxAbsDiff, double MaxRelDiff, double MaxAbsOutput, IReadOnlyList<int> BatchSizes);

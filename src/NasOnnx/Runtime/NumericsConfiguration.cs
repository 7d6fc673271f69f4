namespace NasOnnx.Runtime;

/// <summary>
/// What libtorch runs with: default (oneDNN on) or safe (oneDNN off: ATen's own im2col + GEMM convolutions, several
/// times slower to train; `nasonnx bench train --compare-numerics` measures it).
/// </summary>
public enum NumericsConfiguration { Default, Safe }

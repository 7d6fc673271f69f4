using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;

namespace NasOnnx.Runtime;

/// <summary>
/// What libtorch runs with: default (oneDNN on) or safe (oneDNN off: ATen's own im2col + GEMM convolutions, several
/// times slower to train; `nasonnx bench train --compare-numerics` measures it).
/// </summary>
public enum NumericsConfiguration { Default, Safe }

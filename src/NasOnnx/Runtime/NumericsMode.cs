using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;

namespace NasOnnx.Runtime;

/// <summary>NASONNX_NUMERICS: check and choose (auto), or force a configuration.</summary>
public enum NumericsMode { Auto, Default, Safe }

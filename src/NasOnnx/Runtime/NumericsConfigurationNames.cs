using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;

namespace NasOnnx.Runtime;

public static class NumericsConfigurationNames
{
    /// <summary>How doctor, the lock, the card and the benches name a configuration.</summary>
    public static string Name(this NumericsConfiguration c) => c == NumericsConfiguration.Default ? "default (oneDNN on)" : "safe (oneDNN off)";
}

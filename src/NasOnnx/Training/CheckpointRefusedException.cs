using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;
using NasOnnx.Artifacts;

namespace NasOnnx.Training;

/// <summary>A checkpoint that cannot be used, with the reason in words.</summary>
public sealed class CheckpointRefusedException(string message) : Exception(message);

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using NasOnnx.Networks;
using Onnx;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Onnx;

/// <summary>The outcome of an export.</summary>
public sealed record ExportResult(string Path, string Space, string ArchId, long FileBytes, long Parameters, long Macs, int Nodes, TimeSpan Elapsed, VerifyResult? Verification);

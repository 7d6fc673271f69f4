using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Artifacts;
using NasOnnx.Reporting;
using NasOnnx.Runtime;
using NasOnnx.Core;

namespace NasOnnx.Pipeline;

public sealed record RunResult(string RunDir, string LockPath, IReadOnlyList<StageResult> Stages);

using NasOnnx.Artifacts;
using NasOnnx.Reporting;
using NasOnnx.Runtime;

namespace NasOnnx.Pipeline;

public sealed record RunResult(string RunDir, string LockPath, IReadOnlyList<StageResult> Stages);

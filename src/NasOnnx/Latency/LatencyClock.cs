using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

/// <summary>
/// What a timed run's duration is read from. Wall: elapsed time (what a user waits). ThreadCpu: CPU time of the
/// calling thread (Linux, 1 thread only; with one intra-op thread ORT computes in the caller), which leaves out
/// time the thread waited for a core, so it stays steady on a machine shared with other busy processes.
/// </summary>
public enum LatencyClock { Wall, ThreadCpu }

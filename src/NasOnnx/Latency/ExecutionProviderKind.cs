using Microsoft.ML.OnnxRuntime;

namespace NasOnnx.Latency;

public enum ExecutionProviderKind { Cpu, Cuda }

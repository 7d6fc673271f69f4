using NasOnnx.Runtime;

namespace NasOnnx.Networks;

/// <summary>One tensor entry of a weights file.</summary>
public sealed record WeightEntry(string Name, ScalarType DType, long[] Shape);

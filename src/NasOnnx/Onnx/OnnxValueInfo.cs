using Onnx;

namespace NasOnnx.Onnx;

/// <summary>A graph input or output: name, element type and dimensions ("batch" for a symbolic one).</summary>
public sealed record OnnxValueInfo(string Name, string ElementType, IReadOnlyList<string> Dims)
{
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(", ", Dims)}]";
}

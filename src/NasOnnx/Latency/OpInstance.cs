using NasOnnx.Ops;

namespace NasOnnx.Latency;

/// <summary>One op at one place of a network: its table key and how to build it (with the same module the networks use).</summary>
public sealed class OpInstance(OpKey key, Func<OpModule> create, bool emitsNothing = false)
{
    public OpKey Key { get; } = key;

    /// <summary>Builds the op's TorchSharp module (which also emits its ONNX).</summary>
    public OpModule Create() => create();

    /// <summary>True for ops that add no node to the graph (identity / skip): their latency is 0 and they are never measured.</summary>
    public bool EmitsNothing { get; } = emitsNothing;

    public override string ToString() => Key.Id;
}

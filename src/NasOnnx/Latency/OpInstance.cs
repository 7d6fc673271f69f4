using NasOnnx.Ops;

namespace NasOnnx.Latency;

/// <summary>
/// One op at one place of a network: its table key and how to build it (with the same module the networks use). The key's
/// input shape may have any rank ([batch, C, H, W] for image ops, [batch, L, C] for sequence ops); its values are float
/// unless <see cref="TokenInput"/> (int64 token ids, e.g. [batch, L] into a text network's embedding).
/// </summary>
public sealed class OpInstance(OpKey key, Func<OpModule> create, bool emitsNothing = false, bool tokenInput = false)
{
    public OpKey Key { get; } = key;

    /// <summary>Builds the op's TorchSharp module (which also emits its ONNX).</summary>
    public OpModule Create() => create();

    /// <summary>True for ops that add no node to the graph (identity / skip): their latency is 0 and they are never measured.</summary>
    public bool EmitsNothing { get; } = emitsNothing;

    /// <summary>True when the op takes int64 token ids rather than floats.</summary>
    public bool TokenInput { get; } = tokenInput;

    public override string ToString() => Key.Id;
}

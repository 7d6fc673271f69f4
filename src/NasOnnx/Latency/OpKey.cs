using System.Globalization;
using NasOnnx.Ops;

namespace NasOnnx.Latency;

/// <summary>
/// The key of a lookup-table entry, as in ProxylessNAS/OFA tables: op type, input shape and output shape
/// (batch first, e.g. "1x16x28x28") and the op's arguments (kernel, expansion, stride ...). The device
/// fingerprint is the other half of the key: it names the table file the entry lives in.
/// </summary>
public sealed record OpKey(string Op, string Input, string Output, string Args)
{
    public string Id => $"{Op}|in={Input}|out={Output}|{Args}";

    public override string ToString() => Id;

    public static string Shape(params int[] dims) => string.Join("x", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The dimensions of a shape string.</summary>
    public static int[] Dims(string shape) => shape.Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}

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

/// <summary>The table entries of a decision space, split for one-shot search: fixed parts and, per decision and choice, the ops the choice adds.</summary>
public sealed record ChoiceInstances(IReadOnlyList<(OpInstance Op, double Weight)> Fixed, IReadOnlyList<IReadOnlyList<IReadOnlyList<(OpInstance Op, double Weight)>>> PerChoice);

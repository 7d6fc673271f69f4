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

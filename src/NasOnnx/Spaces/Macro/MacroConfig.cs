namespace NasOnnx.Spaces.Macro;

/// <summary>Network parameters: stem width, the width choices of conv layers, and the depth range.</summary>
public sealed record MacroConfig(int StemWidth, IReadOnlyList<int> Widths, int MinDepth, int MaxDepth)
{
    public bool Equals(MacroConfig? other) => other is not null && StemWidth == other.StemWidth && MinDepth == other.MinDepth && MaxDepth == other.MaxDepth && Widths.SequenceEqual(other.Widths);
    public override int GetHashCode() => HashCode.Combine(StemWidth, MinDepth, MaxDepth, Widths.Count);

    /// <summary>Layers that halve the resolution (stride 2): depth/3 and 2*depth/3.</summary>
    public static IReadOnlySet<int> Reductions(int depth) => new HashSet<int> { depth / 3, 2 * depth / 3 };
}

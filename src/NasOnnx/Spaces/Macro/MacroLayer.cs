namespace NasOnnx.Spaces.Macro;

/// <summary>One layer: an op, its output width (convolutions only; 0 for pooling) and the earlier layers whose
/// outputs are added to its output (residual/skip connections, projected when shapes differ).</summary>
public sealed record MacroLayer(string Op, int Width, IReadOnlyList<int> Skips)
{
    /// <summary>The op as a value (null for a name no op has; architectures check their ops).</summary>
    public MacroOp? Kind => MacroOp.Find(Op);
    public bool IsConv => Kind is { IsConv: true };
    public int Kernel => Kind?.Kernel ?? 3;

    public bool Equals(MacroLayer? other) => other is not null && Op == other.Op && Width == other.Width && Skips.SequenceEqual(other.Skips);
    public override int GetHashCode() => HashCode.Combine(Op, Width, Skips.Count);
}

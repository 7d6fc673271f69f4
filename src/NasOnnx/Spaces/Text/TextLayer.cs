namespace NasOnnx.Spaces.Text;

/// <summary>
/// One layer of a text architecture: its op, the node it reads (<see cref="Input"/>: 0 is the embedding, i+1 the output of
/// layer i) and the nodes added to the op's output before the LayerNorm (<see cref="Skips"/>, ascending), all within the
/// layer's window.
/// </summary>
public sealed record TextLayer(string Op, int Input, IReadOnlyList<int> Skips)
{
    public bool Equals(TextLayer? other) => other is not null && Op == other.Op && Input == other.Input && Skips.SequenceEqual(other.Skips);
    public override int GetHashCode() => HashCode.Combine(Op, Input, Skips.Count);
}

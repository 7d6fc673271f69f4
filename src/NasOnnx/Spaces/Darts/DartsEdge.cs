namespace NasOnnx.Spaces.Darts;

/// <summary>One edge of a derived DARTS cell: an op applied to input state <see cref="Input"/> (0, 1: the cell inputs; 2..: earlier nodes).</summary>
public sealed record DartsEdge(string Op, int Input);

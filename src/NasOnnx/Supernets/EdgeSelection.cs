using NasOnnx.Ops;

namespace NasOnnx.Supernets;

/// <summary>
/// What one mixed edge computes in one forward: every op weighted (<see cref="Weights"/>, DARTS), or one op
/// (<see cref="Index"/>), optionally scaled by a straight-through weight (<see cref="Scale"/>, GDAS). Index -1 and no
/// weights: the edge is off (a single path that does not use it).
/// </summary>
public readonly record struct EdgeSelection(Tensor? Weights, int Index, Tensor? Scale)
{
    public static EdgeSelection Off => new(null, -1, null);
    public bool Active => Weights is not null || Index >= 0;
}

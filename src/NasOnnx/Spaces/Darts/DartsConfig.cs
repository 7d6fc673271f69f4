namespace NasOnnx.Spaces.Darts;

/// <summary>Network parameters: initial channels C (the stem has 3C) and the number of cells (reductions at 1/3 and 2/3).</summary>
public sealed record DartsConfig(int Width, int Cells);

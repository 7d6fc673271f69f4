namespace NasOnnx.Supernets;

/// <summary>
/// One matrix of architecture weights (logits): a row per mixed edge or layer, a column per candidate op.
/// DARTS has "normal" and "reduce" (14 x 8), NAS-Bench-201 "cell" (6 x 5), the chain one group per layer (1 x k).
/// </summary>
public sealed class AlphaGroup(string name, IReadOnlyList<string> rows, IReadOnlyList<string> choices, Parameter logits)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Rows { get; } = rows;
    public IReadOnlyList<string> Choices { get; } = choices;
    public Parameter Logits { get; internal set; } = logits;
}

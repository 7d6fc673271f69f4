namespace NasOnnx.Supernets;

/// <summary>PC-DARTS edge-normalization weights: one logit per edge; softmax over the edges entering a node.</summary>
public sealed class BetaGroup(string name, IReadOnlyList<string> rows, Parameter logits)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Rows { get; } = rows;
    public Parameter Logits { get; internal set; } = logits;
}

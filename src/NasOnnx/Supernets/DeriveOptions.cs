namespace NasOnnx.Supernets;

/// <summary>How the derive stage turns a search into one architecture.</summary>
public sealed record DeriveOptions
{
    /// <summary>auto (the strategy's own rule), best (best evaluated), most-likely (policy/weights argmax).</summary>
    public string Rule { get; init; } = "auto";
    /// <summary>DARTS skip-connection collapse mitigation: at most this many skip_connect per cell (-1: no cap).</summary>
    public int MaxSkip { get; init; } = -1;
}

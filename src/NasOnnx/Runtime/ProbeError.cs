namespace NasOnnx.Runtime;

/// <summary>One probe's worst errors relative to the self-check's tolerance (above 1 fails; NaN: not finite).</summary>
public sealed record ProbeError(string Probe, long[] InputShape, double Output, double InputGradient, double WeightGradient)
{
    public bool Passes => Output <= 1 && InputGradient <= 1 && WeightGradient <= 1;
}

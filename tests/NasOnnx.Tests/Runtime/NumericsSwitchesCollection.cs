namespace NasOnnx.Tests.Runtime;

/// <summary>
/// Tests that change the process-wide numerics switches (oneDNN on/off, the convolution guard) run alone, after the
/// parallel ones: a test training meanwhile would otherwise run under a configuration this CPU may compute wrongly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NumericsSwitchesCollection
{
    public const string Name = "numerics switches (runs alone)";
}

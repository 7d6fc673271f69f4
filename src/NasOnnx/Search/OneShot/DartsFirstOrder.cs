namespace NasOnnx.Search.OneShot;

/// <summary>DARTS (Liu et al., ICLR 2019) with the first-order architecture gradient: the shared loop's defaults.</summary>
public sealed class DartsFirstOrder : OneShotAlgorithm
{
    public override string Name => "darts";
    public override string Description => "DARTS, first-order architecture gradient, on a supernet (one-shot)";
}

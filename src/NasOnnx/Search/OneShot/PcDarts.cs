using NasOnnx.Spaces;
namespace NasOnnx.Search.OneShot;

/// <summary>
/// PC-DARTS (Xu et al., ICLR 2020): first-order DARTS with 1/K of the channels through the mixed ops (K = 4 unless
/// partial_k says otherwise), channel shuffle and edge normalization; only the darts space has the partial-channel supernet.
/// </summary>
public sealed class PcDarts : OneShotAlgorithm
{
    public override string Name => "pc";
    public override string Description => "PC-DARTS: partial channels (1/partial_k through the ops), channel shuffle, edge normalization";
    public override IReadOnlyList<string>? Spaces => SupernetFactory.PartialChannelSpaces;
    public override bool PartialChannels => true;
}

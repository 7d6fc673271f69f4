using NasOnnx.Supernets;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// GDAS (Dong and Yang, CVPR 2019): each edge runs one op drawn by a hard Gumbel-softmax sample, with a straight-through
/// gradient; the loop anneals the temperature linearly from tau_max to tau_min over the epochs.
/// </summary>
public sealed class Gdas : OneShotAlgorithm
{
    public override string Name => "gdas";
    public override string Description => "GDAS: hard Gumbel-softmax sample per edge, straight-through gradient, tau annealed tau_max -> tau_min";
    public override SupernetMode Mode => SupernetMode.Gumbel;
}

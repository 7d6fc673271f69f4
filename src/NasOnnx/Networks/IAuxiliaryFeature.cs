namespace NasOnnx.Networks;

/// <summary>
/// A network that can hand out an intermediate feature for an auxiliary classifier during training (DARTS: the output
/// of the second reduction cell), see <see cref="AuxiliaryTraining"/>.
/// </summary>
public interface IAuxiliaryFeature
{
    /// <summary>Index of the cell whose output feeds the auxiliary head.</summary>
    int AuxiliaryCell { get; }

    /// <summary>Channels of <see cref="AuxiliaryCell"/>'s output.</summary>
    long AuxiliaryChannels { get; }

    /// <summary>The logits and the output of cell <paramref name="featureCell"/> (null when -1).</summary>
    (Tensor Logits, Tensor? Feature) ForwardWithFeature(Tensor x, int featureCell);
}

namespace NasOnnx.Networks;

/// <summary>
/// A network with an auxiliary classifier (DARTS/NASNet cell networks). In training mode the trainer calls
/// <see cref="ForwardWithAuxiliary"/> instead of forward and adds the recipe's aux_weight times the
/// auxiliary head's cross-entropy to the loss; evaluation and export use the plain forward.
/// </summary>
public interface IAuxiliaryOutput
{
    /// <returns>The main logits and the auxiliary head's logits (null when the head is off).</returns>
    (Tensor Logits, Tensor? AuxLogits) ForwardWithAuxiliary(Tensor input);
}

using static TorchSharp.torch;

namespace NasOnnx.Training;

/// <summary>
/// A network with an auxiliary classifier (DARTS/NASNet cell networks). In training mode the trainer calls
/// <see cref="ForwardWithAuxiliary"/> instead of forward and adds <see cref="TrainingRecipe.AuxWeight"/> times the
/// auxiliary head's cross-entropy to the loss; evaluation and export use the plain forward.
/// </summary>
public interface IAuxiliaryOutput
{
    /// <returns>The main logits and the auxiliary head's logits (null when the head is off).</returns>
    (Tensor Logits, Tensor? AuxLogits) ForwardWithAuxiliary(Tensor input);
}

/// <summary>
/// A network whose behaviour depends on training progress (e.g. a drop-path probability raised linearly over
/// the epochs). The trainer calls it at the start of every epoch, also when it resumes mid-epoch.
/// </summary>
public interface IEpochAware
{
    /// <param name="epoch">0-based epoch about to run.</param>
    /// <param name="epochs">Total epochs of the run.</param>
    /// <param name="recipe">The recipe (e.g. its <see cref="TrainingRecipe.DropPath"/>).</param>
    void OnEpochStart(int epoch, int epochs, TrainingRecipe recipe);
}

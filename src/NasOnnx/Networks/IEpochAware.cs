namespace NasOnnx.Networks;

/// <summary>
/// A network whose behaviour depends on training progress (e.g. a drop-path probability raised linearly over
/// the epochs). The trainer calls it at the start of every epoch, also when it resumes mid-epoch.
/// </summary>
public interface IEpochAware
{
    /// <param name="epoch">0-based epoch about to run.</param>
    /// <param name="epochs">Total epochs of the run.</param>
    /// <param name="dropPath">The recipe's final drop-path probability (0: off).</param>
    void OnEpochStart(int epoch, int epochs, double dropPath);
}

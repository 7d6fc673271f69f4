namespace NasOnnx.Training;

/// <summary>
/// The optimizer of architecture parameters (DARTS alphas, policy logits): Adam with DARTS' settings by default
/// (lr 3e-4, betas (0.5, 0.999), weight decay 1e-3). Its state saves and restores with
/// <c>save_state_dict(BinaryWriter)</c>/<c>load_state_dict(BinaryReader)</c>, which <see cref="CheckpointFile"/>
/// does for every optimizer it is given.
/// </summary>
public static class ArchitectureOptimizer
{
    public const double DartsLearningRate = 3e-4, DartsBeta1 = 0.5, DartsBeta2 = 0.999, DartsWeightDecay = 1e-3;

    public static Adam Adam(IEnumerable<Parameter> parameters, double lr = DartsLearningRate, double beta1 = DartsBeta1,
        double beta2 = DartsBeta2, double weightDecay = DartsWeightDecay) =>
        new Optimizers.HeldScalarAdam(parameters, lr, beta1, beta2, weightDecay: weightDecay);

    /// <summary>One update: zero the gradients, back-propagate <paramref name="loss"/>, step.</summary>
    public static void Step(optim.Optimizer optimizer, Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
}

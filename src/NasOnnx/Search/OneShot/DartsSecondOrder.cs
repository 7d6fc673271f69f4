namespace NasOnnx.Search.OneShot;

/// <summary>DARTS with the second-order (unrolled) architecture gradient (<see cref="SupernetTrainer.SecondOrderGradient"/>).</summary>
public sealed class DartsSecondOrder : OneShotAlgorithm
{
    public override string Name => "darts2";
    public override string Description => "DARTS, second-order (unrolled) architecture gradient with finite-difference Hessian-vector product";

    public override (double Loss, long Correct) ArchitectureStep(SupernetTrainer trainer, Tensor xTrain, Tensor yTrain, Tensor xVal, Tensor yVal) =>
        trainer.ArchStep(xTrain, yTrain, xVal, yVal, secondOrder: true);
}

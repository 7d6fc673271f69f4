using NasOnnx.Runtime;

namespace NasOnnx.Training.Optimizers;

/// <summary>
/// The moment update and parameter step Adam and AdamW share (TorchSharp's, operation by operation), with every Scalar
/// held for its call. One instance per parameter group and step; dispose it after the group.
/// </summary>
internal sealed class AdamUpdate(double beta1, double beta2, double eps, double lr, bool amsgrad) : IDisposable
{
    private readonly Scalar _beta1 = beta1.ToScalar(), _beta2 = beta2.ToScalar(), _eps = eps.ToScalar();
    private readonly Scalar _oneMinusBeta1 = (1 - beta1).ToScalar(), _oneMinusBeta2 = (1 - beta2).ToScalar();

    /// <param name="gradForSquare">The gradient's second factor in the squared moment (Adam: its conjugate).</param>
    /// <param name="maxExpAvgSq">The running maximum of the squared moment (AMSGrad only; replaced by the new maximum).</param>
    public void Apply(Parameter param, Tensor grad, Tensor gradForSquare, long step, Tensor expAvg, Tensor expAvgSq, ref Tensor maxExpAvgSq)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        using var negStepSize = (-(lr / biasCorrection1)).ToScalar();
        expAvg.mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
        expAvgSq.mul_(_beta2).addcmul_(grad, gradForSquare, value: _oneMinusBeta2);
        var secondMoment = expAvgSq;
        if (amsgrad)
        {
            var previous = maxExpAvgSq;
            maxExpAvgSq = torch.maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            secondMoment = maxExpAvgSq;
        }
        var denom = secondMoment.sqrt().div(sqrtBiasCorrection2).add_(_eps, HeldScalars.LongOne);
        param.addcdiv_(expAvg, denom, value: negStepSize);
    }

    public void Dispose()
    {
        _beta1.Dispose(); _beta2.Dispose(); _eps.Dispose();
        _oneMinusBeta1.Dispose(); _oneMinusBeta2.Dispose();
    }
}

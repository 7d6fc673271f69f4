namespace NasOnnx.Training.Optimizers;

/// <summary>
/// TorchSharp's Adam (L2 weight decay added to the gradient, AMSGrad, maximize) with the same update, operation by
/// operation, so results and saved optimizer state are those of <c>torch.optim.Adam</c>; only its Scalars are held for the
/// duration of each call instead of being left to finalizers (<see cref="Runtime.HeldScalars"/> says why).
/// </summary>
public sealed class HeldScalarAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
    double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
    : Adam(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        using var update = new AdamUpdate(o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.LearningRate!.Value, o.amsgrad!.Value);
        double weightDecay = o.weight_decay!.Value;
        bool maximize = o.maximize!.Value;
        using var decay = weightDecay.ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            var state = (State)_state[param.Handle];
            state.step += 1;
            if (weightDecay != 0) grad = grad.add(param, alpha: decay);
            update.Apply(param, grad, grad.conj(), state.step, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq);
        }
    }, closure);
}

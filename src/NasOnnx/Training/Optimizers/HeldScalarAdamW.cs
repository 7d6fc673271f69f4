namespace NasOnnx.Training.Optimizers;

/// <summary>
/// TorchSharp's AdamW (decoupled weight decay, AMSGrad, maximize) with the same update, operation by operation, so
/// results and saved optimizer state are those of <c>torch.optim.AdamW</c>; only its Scalars are held for the duration of
/// each call instead of being left to finalizers (<see cref="Runtime.HeldScalars"/> says why).
/// </summary>
public sealed class HeldScalarAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
    double eps = 1e-8, double weightDecay = 0.01, bool amsgrad = false, bool maximize = false)
    : AdamW(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        using var update = new AdamUpdate(o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.LearningRate!.Value, o.amsgrad!.Value);
        bool maximize = o.maximize!.Value;
        using var shrink = (1 - o.LearningRate!.Value * o.weight_decay!.Value).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            var state = (State)_state[param.Handle];
            state.step += 1;
            param.mul_(shrink);
            update.Apply(param, grad, grad, state.step, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq);
        }
    }, closure);
}

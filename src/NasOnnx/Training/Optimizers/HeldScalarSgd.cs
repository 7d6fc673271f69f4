namespace NasOnnx.Training.Optimizers;

/// <summary>
/// TorchSharp's SGD (momentum, dampening, Nesterov, weight decay, maximize) with the same update, operation by
/// operation, so results and saved optimizer state are those of <c>torch.optim.SGD</c>; only its Scalars are held for the
/// duration of each call instead of being left to finalizers (<see cref="Runtime.HeldScalars"/> says why).
/// </summary>
public sealed class HeldScalarSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
    double weightDecay = 0, bool nesterov = false, bool maximize = false)
    : SGD(parameters, lr, momentum, dampening, weightDecay, nesterov, maximize)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double momentum = o.momentum!.Value, dampening = o.dampening!.Value, weightDecay = o.weight_decay!.Value, lr = o.LearningRate!.Value;
        bool nesterov = o.nesterov!.Value, maximize = o.maximize!.Value;
        using var decay = weightDecay.ToScalar();
        using var mom = momentum.ToScalar();
        using var undamped = (1 - dampening).ToScalar();
        using var stepSize = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) grad = grad.add(param, alpha: decay);
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null)
                {
                    buf = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buf;
                }
                else
                {
                    buf.mul_(mom).add_(grad, alpha: undamped);
                }
                grad = nesterov ? grad.add(buf, alpha: mom) : buf;
            }
            param.add_(grad, alpha: stepSize);
        }
    }, closure);
}

using NasOnnx.Runtime;

namespace NasOnnx.Ops;

/// <summary>
/// Batch norm's forward as TorchSharp's <c>BatchNorm2d.forward</c> computes it (batch statistics in training, running
/// statistics in evaluation, num_batches_tracked counted), but with the counter's increment held
/// (<see cref="HeldScalars"/>): TorchSharp's own forward increments it with two temporary Scalars every training step,
/// which is where the finalizer race struck a 40-hour run. Every network calls its batch norms through this.
/// BatchNorm2d itself is sealed, so the module stays TorchSharp's (same parameters, buffers and state_dict names).
/// </summary>
public static class HeldScalarBatchNorm
{
    public static Tensor Normalize(this BatchNorm2d bn, Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"batch norm expects a 4-D input (N, C, H, W), got {x.dim()}-D");
        double factor = bn.momentum ?? 0.0;
        if (bn.training && bn.track_running_stats && bn.num_batches_tracked is { } count)
        {
            count.add_(HeldScalars.LongOne, HeldScalars.LongOne);
            factor = bn.momentum ?? 1.0 / (double)count;
        }
        bool batchStatistics = bn.training || (bn.running_mean is null && bn.running_var is null);
        bool runningStatistics = !bn.training || bn.track_running_stats;
        return nn.functional.batch_norm(x, runningStatistics ? bn.running_mean : null, runningStatistics ? bn.running_var : null,
            bn.weight, bn.bias, batchStatistics, factor, bn.eps);
    }

    /// <summary>Runs a Sequential (nested ones included) module by module, its batch norms through <see cref="Normalize"/>.</summary>
    public static Tensor RunSequential(Sequential sequence, Tensor x)
    {
        foreach (var module in sequence.children())
            x = module switch
            {
                BatchNorm2d bn => bn.Normalize(x),
                Sequential inner => RunSequential(inner, x),
                nn.Module<Tensor, Tensor> m => m.call(x),
                _ => throw new InvalidOperationException($"{module.GetType().Name} in a Sequential does not map a tensor to a tensor"),
            };
        return x;
    }
}

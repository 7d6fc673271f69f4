using NasOnnx.Runtime;
namespace NasOnnx.Ops;

/// <summary>
/// Drop-path (stochastic depth, as in DARTS/NASNet cells): in training, each sample's whole path is zeroed with
/// probability <see cref="Probability"/> and the kept samples are scaled by 1/(1-p), so the expectation is
/// unchanged; in eval mode it is the identity. Randomness comes from the given generator or torch's default
/// generator, whose state the trainer reseeds per epoch and saves in checkpoints, so resumed runs repeat exactly.
/// Use <see cref="Apply"/> inside a cell's forward, or this module as a layer whose probability a
/// <see cref="IEpochAware"/> network updates every epoch.
/// </summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    public double Probability { get; set; }

    public DropPath(double probability = 0) : base(nameof(DropPath)) => Probability = probability;

    public override Tensor forward(Tensor input) => Apply(input, Probability, training);

    /// <summary>Per-sample drop-path of <paramref name="x"/> (first dimension = samples).</summary>
    public static Tensor Apply(Tensor x, double probability, bool training, Generator? generator = null)
    {
        if (!training || probability <= 0) return x;
        if (probability >= 1) return x.mul(HeldScalars.FloatZero);
        double keep = 1 - probability;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        using var mask = torch.empty(shape, dtype: x.dtype, device: x.device).bernoulli_(keep, generator);
        using var keepScalar = keep.ToScalar(); // held: see HeldScalars
        return x.div(keepScalar).mul(mask);
    }
}

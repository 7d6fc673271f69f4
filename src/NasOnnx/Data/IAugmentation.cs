namespace NasOnnx.Data;

/// <summary>
/// A per-image transform run by <see cref="BatchLoader"/> on its background thread (random crop,
/// flip, cutout, ...). It changes <c>chw</c> in place. Implementations must take all randomness from
/// <c>rng</c>: the loader seeds it from (seed, epoch, sample index), so results are deterministic and
/// do not depend on threads or timing. Implementations must be thread-safe (no mutable shared state).
/// </summary>
public interface IAugmentation
{
    /// <summary>
    /// False (default): runs on pixels scaled to [0, 1] before normalization (0 = black, as
    /// torchvision pads). True: runs on the normalized values (0 = the dataset mean, as DARTS' cutout).
    /// </summary>
    bool AfterNormalization => false;

    /// <param name="chw">One image, Channels*Height*Width values in CHW order.</param>
    /// <param name="sampleIndex">The image's index in the dataset.</param>
    void Apply(Span<float> chw, ImageShape shape, int sampleIndex, SplitMix64 rng);
}

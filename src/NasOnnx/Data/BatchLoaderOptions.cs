namespace NasOnnx.Data;

/// <summary>Settings of a <see cref="BatchLoader"/>.</summary>
public sealed record BatchLoaderOptions
{
    public int BatchSize { get; init; } = 64;
    /// <summary>Reshuffle the indices every epoch, seeded by (Seed, epoch).</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }
    /// <summary>Leave out the last batch when it would be smaller than BatchSize.</summary>
    public bool DropLast { get; init; }
    /// <summary>Per-channel normalization; null scales pixels to [0, 1] only.</summary>
    public Normalization? Normalization { get; init; }
    /// <summary>Per-image transforms, applied in order (see <see cref="IAugmentation"/>).</summary>
    public IReadOnlyList<IAugmentation> Augmentations { get; init; } = [];
    /// <summary>How many prepared batches may wait for the consumer (bounded queue; with <see cref="Background"/> only).</summary>
    public int Prefetch { get; init; } = 3;

    /// <summary>
    /// Prepare batches on a background thread (true) or on the consumer's thread when it asks for them (false, the default).
    /// Off by default because a thread that allocates while the consumer is inside libtorch lets a garbage collection run
    /// TorchSharp's finalizers in the middle of a native call: TorchSharp frees the native Scalar it created implicitly
    /// for that call (libtorch then reports "Unknown scalar type" or an integral/float mismatch, at random, under load).
    /// Building a batch costs milliseconds against a training step's tenths of seconds, so the overlap gained little.
    /// </summary>
    public bool Background { get; init; }
}

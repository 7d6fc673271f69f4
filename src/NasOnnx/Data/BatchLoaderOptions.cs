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
    /// <summary>How many prepared batches may wait for the consumer (bounded queue).</summary>
    public int Prefetch { get; init; } = 3;
}

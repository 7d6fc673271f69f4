namespace NasOnnx.Data;

/// <summary>
/// A small seeded random generator (SplitMix64) whose sequence depends only on the seed: identical
/// across runs, platforms and .NET versions, unlike what System.Random promises. Used for splits,
/// shuffles and augmentation. Not thread-safe; give each thread or each sample its own instance.
/// </summary>
public sealed class SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;
    public SplitMix64(long seed) : this(unchecked((ulong)seed)) { }

    /// <summary>A generator for a sub-stream, e.g. (seed, epoch) or (seed, epoch, sample).</summary>
    public static SplitMix64 Derive(long seed, params long[] keys) => new(DeriveSeed(seed, keys));

    /// <summary>Mixes keys into a seed so that nearby keys give unrelated streams.</summary>
    public static ulong DeriveSeed(long seed, params long[] keys)
    {
        ulong h = Mix(unchecked((ulong)seed) ^ 0x6A09E667F3BCC909UL);
        foreach (long k in keys) h = Mix(h ^ Mix(unchecked((ulong)k) + 0x9E3779B97F4A7C15UL));
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, maxExclusive), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Uniform in [minInclusive, maxExclusive).</summary>
    public int Next(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        return minInclusive + Next(maxExclusive - minInclusive);
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(double p = 0.5) => NextDouble() < p;

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

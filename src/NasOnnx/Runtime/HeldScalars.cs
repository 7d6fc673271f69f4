namespace NasOnnx.Runtime;

/// <summary>
/// Scalars for libtorch calls that are never freed under a running call.
/// <para>
/// Why: TorchSharp turns a number passed as a Scalar (<c>t.add_(1)</c>, <c>alpha: lr</c>, <c>x * 0.5</c>) into a
/// temporary native Scalar whose .NET wrapper frees it in a finalizer, and nothing keeps the wrapper alive while the native
/// call that reads it runs. When another thread starts a garbage collection during that call, the finalizer frees the
/// Scalar under libtorch: "Unknown scalar type", "alpha must not be a floating point number", or a wrong value read
/// silently (README, Troubleshooting). Code that runs for every training step therefore passes either one of these
/// constants (static: always reachable) or a Scalar it holds in a <c>using</c> variable until the call returns
/// (<c>using var s = value.ToScalar();</c>). ScalarLifetimeTests trains every space under constant collections.
/// </para>
/// </summary>
public static class HeldScalars
{
    /// <summary>Integer one: counters such as batch norm's num_batches_tracked (Int64; a float Scalar would not cast).</summary>
    public static readonly Scalar LongOne = 1L.ToScalar();

    public static readonly Scalar LongZero = 0L.ToScalar();

    /// <summary>Integer two: the exponent of a square (TorchSharp's <c>square()</c> is <c>pow(2)</c> with a temporary Scalar).</summary>
    public static readonly Scalar LongTwo = 2L.ToScalar();

    public static readonly Scalar FloatZero = 0f.ToScalar();

    public static readonly Scalar FloatOne = 1f.ToScalar();

    /// <summary>-infinity: what padded positions are filled with before a max.</summary>
    public static readonly Scalar FloatNegativeInfinity = float.NegativeInfinity.ToScalar();

    /// <summary>x + y. TorchSharp's <c>add(Tensor)</c> and <c>+</c> pass a temporary Scalar alpha of 1; this holds it.</summary>
    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, LongOne);

    /// <summary>x squared element-wise, with the exponent held (see <see cref="LongTwo"/>).</summary>
    public static Tensor Squared(this Tensor x) => x.pow(LongTwo);

    /// <summary>x += y, in place, with the alpha held (see <see cref="Plus"/>).</summary>
    public static Tensor PlusInPlace(this Tensor x, Tensor y) => x.add_(y, LongOne);
}

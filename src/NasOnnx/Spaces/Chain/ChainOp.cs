using NasOnnx.Ops;

namespace NasOnnx.Spaces.Chain;

/// <summary>
/// What one chain layer computes: an MBConv with a kernel and an expansion ratio, or skip (identity, only where the layer
/// keeps the shape). Architecture JSON names it "mbconv_k{kernel}_e{expansion}" or "skip"; code uses this value.
/// </summary>
public readonly record struct ChainOp(int Kernel, int Expansion)
{
    public static ChainOp Skip { get; } = new(0, 0);

    /// <summary>MBConv k3/5/7 x e3/6, in decision order.</summary>
    public static IReadOnlyList<ChainOp> MbConvs { get; } = [.. from k in new[] { 3, 5, 7 } from e in new[] { 3, 6 } select new ChainOp(k, e)];

    public static IReadOnlyList<ChainOp> All { get; } = [.. MbConvs, Skip];

    public bool IsSkip => Kernel == 0;

    public string Name => IsSkip ? "skip" : $"mbconv_k{Kernel}_e{Expansion}";

    /// <summary>The op of a name; null when no op has it.</summary>
    public static ChainOp? Find(string name) => All.Cast<ChainOp?>().FirstOrDefault(o => o!.Value.Name == name);

    /// <summary>The layer's module: identity for skip, else the MBConv from <paramref name="cin"/> to <paramref name="cout"/> channels.</summary>
    public OpModule Build(int cin, int cout, int stride) => IsSkip ? new IdentityOp() : new MBConv(cin, cout, Kernel, Expansion, stride);

    public override string ToString() => Name;
}

using NasOnnx.Ops;

namespace NasOnnx.Spaces.Macro;

/// <summary>
/// What a macro layer computes: a k x k convolution (+ BN + ReLU) or a 3x3 max/average pooling. Architecture JSON names it
/// "conv_{k}x{k}", "max_pool_3x3" or "avg_pool_3x3"; code uses this value.
/// </summary>
public readonly record struct MacroOp(int Kernel, PoolKind? Pool)
{
    public static MacroOp Conv(int kernel) => new(kernel, null);

    /// <summary>Every op, in decision order.</summary>
    public static IReadOnlyList<MacroOp> All { get; } = [Conv(1), Conv(3), Conv(5), new(3, PoolKind.Max), new(3, PoolKind.Avg)];

    public bool IsConv => Pool is null;

    public string Name => Pool switch
    {
        null => $"conv_{Kernel}x{Kernel}",
        PoolKind.Max => "max_pool_3x3",
        _ => "avg_pool_3x3",
    };

    /// <summary>The op of a name; null when no op has it.</summary>
    public static MacroOp? Find(string name) => All.Cast<MacroOp?>().FirstOrDefault(o => o!.Value.Name == name);

    public override string ToString() => Name;
}

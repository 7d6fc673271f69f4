using NasOnnx.Ops;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>What a text layer's op is.</summary>
public enum TextOpKind
{
    Conv,
    MaxPool,
    AvgPool,
    Attention,
    Gru,
}

/// <summary>
/// One op a text layer can run (TextNAS' set): 1-D convolution with kernel 1/3/5/7 and ReLU, max or average pooling over 3
/// positions, multi-head self-attention, a (bidirectional) GRU. Architecture JSON names it ("conv_k3", "max_pool_k3",
/// "attention", "gru"); code uses this value.
/// </summary>
public readonly record struct TextOp(TextOpKind Kind, int Kernel)
{
    /// <summary>Every op, in decision order.</summary>
    public static IReadOnlyList<TextOp> All { get; } =
    [
        new(TextOpKind.Conv, 1), new(TextOpKind.Conv, 3), new(TextOpKind.Conv, 5), new(TextOpKind.Conv, 7),
        new(TextOpKind.MaxPool, 3), new(TextOpKind.AvgPool, 3), new(TextOpKind.Attention, 0), new(TextOpKind.Gru, 0),
    ];

    public string Name => Kind switch
    {
        TextOpKind.Conv => $"conv_k{Kernel}",
        TextOpKind.MaxPool => $"max_pool_k{Kernel}",
        TextOpKind.AvgPool => $"avg_pool_k{Kernel}",
        TextOpKind.Attention => "attention",
        _ => "gru",
    };

    /// <summary>The op of a name; null when no op has it.</summary>
    public static TextOp? Find(string name) => All.Cast<TextOp?>().FirstOrDefault(o => o!.Value.Name == name);

    /// <summary>The op's module at the config's width (heads, GRU directions from the config).</summary>
    public SequenceOp Build(TextConfig config) => Kind switch
    {
        TextOpKind.Conv => new SequenceConv(config.Width, Kernel),
        TextOpKind.MaxPool => new SequencePool(PoolKind.Max),
        TextOpKind.AvgPool => new SequencePool(PoolKind.Avg),
        TextOpKind.Attention => new SelfAttention(config.Width, config.Heads),
        _ => new SequenceGru(config.Width, config.Bidirectional),
    };

    /// <summary>The op's arguments beyond its name that change what it computes (for latency table keys).</summary>
    public string Args(TextConfig config) => Kind switch
    {
        TextOpKind.Attention => $"h{config.Heads}",
        TextOpKind.Gru => config.Bidirectional ? "bidirectional" : "forward",
        _ => "s1",
    };

    public override string ToString() => Name;
}

using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Supernets;

/// <summary>A pooling op followed by affine-free batch norm, as DARTS' search cells use them (weights of pooled and
/// convolved paths then share a scale).</summary>
public sealed class PoolBn : OpModule
{
    private readonly OpModule pool;
    private readonly BatchNorm2d bn;

    public PoolBn(OpModule pool, long channels) : base(nameof(PoolBn))
    {
        this.pool = pool;
        bn = nn.BatchNorm2d(channels, affine: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.Normalize(pool.call(x));

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) =>
        throw new NotSupportedException("supernets are not exported; derive an architecture and export its network");
}

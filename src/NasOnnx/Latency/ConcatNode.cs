using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>The channel Concat of <c>parts</c> same-shaped values (a DARTS cell's output).</summary>
public sealed class ConcatNode(int parts) : OpModule(nameof(ConcatNode))
{
    public override Tensor forward(Tensor x) => torch.cat(Enumerable.Repeat(x, parts).ToArray(), 1);
    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Concat(Enumerable.Repeat(input, parts).ToArray(), name + ".concat");
}

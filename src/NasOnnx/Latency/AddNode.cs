using NasOnnx.Runtime;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>The Add joining two same-shaped values (a cell node's sum), measured as x + x.</summary>
public sealed class AddNode : OpModule
{
    public AddNode() : base(nameof(AddNode)) => RegisterComponents();
    public override Tensor forward(Tensor x) => x.Plus(x);
    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => g.Add(input, input, name + ".add");
}

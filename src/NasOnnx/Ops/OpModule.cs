using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops;

/// <summary>
/// A candidate op: its TorchSharp forward and its ONNX emitter side by side, so a discrete network,
/// a supernet and the exporter all use the same definition.
/// </summary>
public abstract class OpModule : nn.Module<Tensor, Tensor>, IOnnxEmitter
{
    protected OpModule(string name) : base(name) { }

    public abstract string EmitOnnx(OnnxGraphBuilder g, string input, string name);
}

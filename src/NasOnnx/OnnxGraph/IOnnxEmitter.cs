namespace NasOnnx.OnnxGraph;

/// <summary>Something that writes itself into an ONNX graph, reading its weights from itself.</summary>
public interface IOnnxEmitter
{
    /// <summary>Emits the nodes computing this module on value <paramref name="input"/>; returns the output value's name.
    /// <paramref name="name"/> is the module's path in the network (e.g. "cells.2.ops.5"), used for value names.</summary>
    string EmitOnnx(OnnxGraphBuilder g, string input, string name);
}

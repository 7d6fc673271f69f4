using NasOnnx.Architectures;
using NasOnnx.Onnx;

namespace NasOnnx.Spaces;

/// <summary>ONNX export of an architecture of any registered space (the network is built from the architecture first).</summary>
public static class ArchitectureExporter
{
    /// <summary>
    /// Exports an architecture with trained weights (TorchSharp state-dict file). Weights that do not match the
    /// architecture fail naming the first mismatch; on any failure no file is written.
    /// </summary>
    public static ExportResult Export(IArchitecture architecture, string weightsPath, string outPath, ExportOptions? options = null)
    {
        using var net = NetworkFactory.Build(architecture);
        return OnnxExporter.Export(net, weightsPath, outPath, options);
    }

    /// <summary>Exports an architecture with seeded random weights and randomized BatchNorm statistics.</summary>
    public static ExportResult ExportRandom(IArchitecture architecture, int seed, string outPath, ExportOptions? options = null)
    {
        using var net = NetworkFactory.BuildRandom(architecture, seed);
        return OnnxExporter.Export(net, outPath, options);
    }
}

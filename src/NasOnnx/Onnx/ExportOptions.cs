using Onnx;

namespace NasOnnx.Onnx;

/// <summary>What goes into an exported model besides the network.</summary>
public sealed record ExportOptions
{
    /// <summary>Fold BatchNorm into the preceding convolution (default). Off keeps BatchNormalization nodes.</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Dataset name for the metadata (e.g. "fashion-mnist").</summary>
    public string? Dataset { get; init; }

    /// <summary>Per-channel input normalization the model expects (x - mean) / std, recorded in the metadata.</summary>
    public IReadOnlyList<float>? NormalizationMean { get; init; }
    public IReadOnlyList<float>? NormalizationStd { get; init; }

    /// <summary>Test accuracy (0..1) and latency, when known.</summary>
    public double? Accuracy { get; init; }
    public double? LatencyMs { get; init; }

    /// <summary>More metadata_props entries (keys are written as given).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Run the written model in ONNX Runtime and compare with TorchSharp before the file is written.</summary>
    public bool Verify { get; init; }

    /// <summary>Largest absolute difference accepted by <see cref="Verify"/>.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>
    /// Take uint8 images in this layout and normalize them inside the graph (needs the normalization above). Off
    /// (<see cref="PreprocessLayout.None"/>) keeps the plain float input and the default export's bytes.
    /// </summary>
    public PreprocessLayout Preprocess { get; init; } = PreprocessLayout.None;

    /// <summary>With <see cref="Preprocess"/>: any height and width, resized inside the graph (shorter side to the
    /// trained resolution, then the centre crop).</summary>
    public bool AnySize { get; init; }

    /// <summary>Class names in label order, written as <c>nasonnx.classes</c> when given (a deployer needs nothing else).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}

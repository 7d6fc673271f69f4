namespace NasOnnx.Onnx;

/// <summary>
/// Whether an exported model takes raw images: <see cref="None"/> keeps the plain input (normalized float [N, C, H, W]);
/// <see cref="Nchw"/> and <see cref="Nhwc"/> make the input uint8 pixels in that layout, with the cast, layout change
/// and the model's normalization inside the graph.
/// </summary>
public enum PreprocessLayout
{
    None,
    Nchw,
    Nhwc,
}

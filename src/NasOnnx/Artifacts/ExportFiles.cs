namespace NasOnnx.Artifacts;

/// <summary>The files an export stage leaves: the model, the architecture it was made from, and its summary.</summary>
public static class ExportFiles
{
    public const string Model = "model.onnx";
    public const string Architecture = "architecture.json";
    public const string Summary = "export.json";
    /// <summary>A text model's vocabulary (copied from prepare-data; its SHA-256 is in the model's metadata).</summary>
    public const string Vocabulary = "vocab.json";
}

namespace NasOnnx.Artifacts;

/// <summary>The files an export stage leaves: the model, the architecture it was made from, and its summary.</summary>
public static class ExportFiles
{
    public const string Model = "model.onnx";
    public const string Architecture = "architecture.json";
    public const string Summary = "export.json";
}

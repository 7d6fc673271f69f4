namespace NasOnnx.Data;

/// <summary>Which part of an image folder an image belongs to.</summary>
public enum ImageSplit
{
    Train,
    /// <summary>From a val/ or validation/ folder (or a manifest's split column): held out of training as given.</summary>
    Validation,
    Test,
}

using SkiaSharp;

namespace NasOnnx.Data;

/// <summary>An image file that cannot be used: the message says what is wrong with it (the caller adds the path).</summary>
public sealed class ImageDecodeException(string message) : Exception(message);

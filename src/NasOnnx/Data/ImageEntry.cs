namespace NasOnnx.Data;

/// <summary>One image of an image folder or manifest: its file, its class index and its split.</summary>
public sealed record ImageEntry(string FilePath, int Label, ImageSplit Split);

namespace NasOnnx.Data;

/// <summary>How an image folder is turned into training data: size, colour, what to do with bad files, the drawn test split.</summary>
/// <param name="Resolution">Side of the square images (the shorter side is scaled to it, then the centre is cut).</param>
/// <param name="Channels">1 (grayscale) or 3 (RGB).</param>
/// <param name="SkipBadImages">Leave out (and list) images that cannot be decoded instead of stopping.</param>
/// <param name="TestFraction">Share of each class drawn as the test split when the folder has no test/ folder.</param>
/// <param name="Seed">Seed of that draw.</param>
public sealed record ImageFolderOptions(int Resolution, int Channels, bool SkipBadImages, double TestFraction, long Seed);

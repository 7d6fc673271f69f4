namespace NasOnnx.Data;

/// <summary>
/// The images of a folder data set before decoding: every file with its class and split, the class names (index =
/// label), and whether the test split was given (test/ folder or manifest column) or is still to be drawn.
/// </summary>
public sealed record ImageListing(string Root, string? Manifest, IReadOnlyList<string> ClassNames, IReadOnlyList<ImageEntry> Entries, bool HasTestSplit)
{
    /// <summary>The files whose content decides the prepared data (the images and the manifest): the cache's key.</summary>
    public IEnumerable<string> SourceFiles => Manifest is null ? Entries.Select(e => e.FilePath) : [Manifest, .. Entries.Select(e => e.FilePath)];
}

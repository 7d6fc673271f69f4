namespace NasOnnx.Data;

/// <summary>One labelled text as read from a file, and where it came from (for error messages).</summary>
/// <param name="Text">The raw text (tokenized later).</param>
/// <param name="Label">The label as written in the file; class names are these values sorted ordinally.</param>
/// <param name="File">The file it was read from.</param>
/// <param name="Line">The 1-based line where its record starts (JSON arrays: the 1-based element number).</param>
public sealed record TextExample(string Text, string Label, string File, long Line)
{
    public string Where => $"{File}:{Line}";
}

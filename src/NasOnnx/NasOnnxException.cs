namespace NasOnnx;

/// <summary>
/// An error the user can fix. Carries what went wrong and what to do; the CLI prints both
/// without a stack trace and exits non-zero.
/// </summary>
public class NasOnnxException : Exception
{
    public string? Fix { get; }
    public string? FilePath { get; init; }
    public string? Stage { get; init; }

    public NasOnnxException(string message, string? fix = null, Exception? inner = null) : base(message, inner) => Fix = fix;

    /// <summary>The full user-facing text: where, what, and what to do.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Stage is not null) parts.Add($"stage '{Stage}'");
        if (FilePath is not null) parts.Add($"file '{FilePath}'");
        string where = parts.Count > 0 ? $"[{string.Join(", ", parts)}] " : "";
        return Fix is null ? where + Message : $"{where}{Message}\n  What to do: {Fix}";
    }
}

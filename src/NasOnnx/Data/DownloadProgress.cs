namespace NasOnnx.Data;

/// <summary>Progress of one file's download: bytes done so far and the total when the server says it.</summary>
public readonly record struct DownloadProgress(string File, long Done, long? Total);

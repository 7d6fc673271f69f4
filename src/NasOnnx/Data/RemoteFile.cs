namespace NasOnnx.Data;

/// <summary>A file a dataset can be downloaded as: its name (relative to the base URL) and MD5.</summary>
public sealed record RemoteFile(string Name, string Md5);

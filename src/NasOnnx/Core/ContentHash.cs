using System.Security.Cryptography;
using System.Text;

namespace NasOnnx.Core;

/// <summary>SHA-256 hashes of files, folders and strings, as lowercase hex.</summary>
public static class ContentHash
{
    public static string OfString(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Relative path (with '/') -> hash for every file under a folder, sorted by path.</summary>
    public static SortedDictionary<string, string> OfFolderFiles(string dir)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(dir, file).Replace('\\', '/')] = OfFile(file);
        return result;
    }

    /// <summary>One hash for a set of named hashes (order-independent: sorted by name).</summary>
    public static string Combine(IEnumerable<KeyValuePair<string, string>> named) =>
        OfString(string.Join("\n", named.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
}

namespace NasOnnx.Tests;

/// <summary>
/// A fresh folder under this user's test folder (<see cref="Root"/>), deleted on dispose.
/// </summary>
public sealed class TempDir : IDisposable
{
    /// <summary>
    /// The system temp folder's nasonnx-tests-USER: one per user, so root and a normal user running the suite on one
    /// machine never meet a folder the other made (a shared nasonnx-tests made by root is not writable by anyone else).
    /// </summary>
    public static string Root { get; } = MakeRoot();

    public string Path { get; } = System.IO.Path.Combine(Root, Guid.NewGuid().ToString("N")[..12]);

    public TempDir() => Directory.CreateDirectory(Path);

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string content)
    {
        string full = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string MakeRoot()
    {
        string user = new(Environment.UserName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        if (user.Length == 0 || user.Trim('.').Length == 0) user = "user";
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nasonnx-tests-" + user);
        Directory.CreateDirectory(root);
        return root;
    }
}

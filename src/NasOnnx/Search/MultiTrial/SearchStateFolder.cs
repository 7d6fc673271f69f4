using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The state folder of a multi-trial search belongs to one search: its fingerprint (strategy, space, seed and every
/// param that changes results, <see cref="MultiTrialOptions.Fingerprint"/>). Everything in it (the search state, the
/// evaluation cache, the trials' spec and result files) is reused on resume, so a folder left by a search with other
/// params must be emptied before anything reads it: otherwise trials evaluated under another recipe (another
/// trial_data_fraction, say) would be taken as this search's results.
/// </summary>
public static class SearchStateFolder
{
    public const string FingerprintFile = "fingerprint.txt";

    /// <summary>Makes <paramref name="dir"/> this search's: kept when it is (or holds nothing yet), emptied otherwise.</summary>
    public static void Claim(string dir, string fingerprint, Action<string>? warn = null)
    {
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, FingerprintFile);
        string? owner = File.Exists(file) ? File.ReadAllText(file) : StateFingerprint(dir);
        bool holdsAnything = Directory.EnumerateFileSystemEntries(dir).Any();
        if (owner != fingerprint && holdsAnything)
        {
            warn?.Invoke($"the saved search state in {dir} belongs to other params or another seed; starting over");
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
        }
        if (owner != fingerprint || !File.Exists(file)) AtomicWrite.Text(file, fingerprint);
    }

    /// <summary>The fingerprint recorded in search_state.json (folders written before fingerprint.txt existed); null when there is none.</summary>
    private static string? StateFingerprint(string dir)
    {
        string path = Path.Combine(dir, MultiTrialRunner.StateFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("fingerprint", out var f) ? f.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

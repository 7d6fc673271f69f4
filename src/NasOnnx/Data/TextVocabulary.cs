using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>
/// A word vocabulary and the tokenizer settings it was built with: the one file (vocab.json) that turns text into the
/// token ids a text model was trained on, so it travels with the model. Ids: 0 is &lt;pad&gt;, 1 is &lt;unk&gt;
/// (<see cref="TokenIds"/>), then the training texts' tokens that occur at least min_count times, most frequent first
/// (ties in ordinal order), up to vocabulary_size ids in all. <see cref="Encode(string)"/> tokenizes with
/// <see cref="TextTokenizer"/>, maps unknown tokens to &lt;unk&gt;, keeps the first max_length tokens and never returns
/// an empty sequence (a text without tokens is one &lt;unk&gt;); it never produces &lt;pad&gt;.
/// <para>vocab.json: <c>{"format": "nasonnx-vocabulary", "version": 1, "tokenizer", "normalization": "NFKC",
/// "unicode_version" (of the NFKC tables), "strip_html": true, "lowercase", "max_length", "min_count", "max_vocabulary_size" (the cap asked for),
/// "vocabulary_size" (ids in use), "pad_id": 0, "unk_id": 1, "tokens": [...] in id order}</c>.</para>
/// </summary>
public sealed class TextVocabulary
{
    public const string FileName = "vocab.json";
    public const string FormatName = "nasonnx-vocabulary";
    public const int FormatVersion = 1;

    private readonly Dictionary<string, int> _ids;

    /// <summary>The tokens in id order: <see cref="TokenIds.PadToken"/>, <see cref="TokenIds.UnknownToken"/>, then the words.</summary>
    public IReadOnlyList<string> Tokens { get; }
    /// <summary>Ids in use (the size of an embedding table).</summary>
    public int Count => Tokens.Count;
    public TextVocabularyOptions Options { get; }
    public int MaxLength => Options.MaxLength;
    public bool Lowercase => Options.Lowercase;
    /// <summary>SHA-256 (lowercase hex) of the file this vocabulary was loaded from or last saved to; null before either.</summary>
    public string? Sha256 { get; private set; }

    private TextVocabulary(IReadOnlyList<string> tokens, TextVocabularyOptions options)
    {
        Tokens = tokens;
        Options = options;
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) _ids.Add(tokens[i], i);
    }

    /// <summary>The id of a token (already normalized), or <see cref="TokenIds.Unknown"/>.</summary>
    public int Id(string token) => _ids.TryGetValue(token, out int id) && id != TokenIds.Pad ? id : TokenIds.Unknown;

    /// <summary>
    /// Builds the vocabulary from training texts (counted in parallel; the result does not depend on the thread count).
    /// <paramref name="progress"/> is called on the calling thread with the number of texts just counted.
    /// </summary>
    public static TextVocabulary Build(IReadOnlyList<string> trainingTexts, TextVocabularyOptions options, Action<int>? progress = null) =>
        FromCounts(CountTokens(trainingTexts, options.Lowercase, progress), options);

    /// <summary>Token -> occurrences over <paramref name="texts"/>.</summary>
    public static Dictionary<string, long> CountTokens(IReadOnlyList<string> texts, bool lowercase, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new object();
        // Batches so that progress is reported from the calling thread; texts within a batch are counted in parallel.
        const int batch = 4096;
        for (int from = 0; from < texts.Count; from += batch)
        {
            int end = Math.Min(texts.Count, from + batch);
            Parallel.For(from, end, () => new Dictionary<string, long>(StringComparer.Ordinal), (i, _, local) =>
            {
                TextTokenizer.Split(TextTokenizer.Normalize(texts[i], lowercase), t => local[t] = local.GetValueOrDefault(t) + 1);
                return local;
            }, local =>
            {
                lock (gate)
                    foreach (var (token, n) in local) total[token] = total.GetValueOrDefault(token) + n;
            });
            progress?.Invoke(end - from);
        }
        return total;
    }

    /// <summary>The vocabulary of given token counts: count &gt;= min_count, most frequent first, ties ordinal, capped.</summary>
    public static TextVocabulary FromCounts(IReadOnlyDictionary<string, long> counts, TextVocabularyOptions options)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        var words = counts.Where(p => p.Value >= options.MinCount && p.Key is not (TokenIds.PadToken or TokenIds.UnknownToken) && p.Key.Length > 0)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(options.VocabularySize - 2).Select(p => p.Key);
        return new TextVocabulary([TokenIds.PadToken, TokenIds.UnknownToken, .. words], options);
    }

    /// <summary>The ids of <paramref name="text"/>: no padding, at most max_length of them, at least one.</summary>
    public int[] Encode(string text) => Encode(text, out _);

    /// <summary>As <see cref="Encode(string)"/>; <paramref name="tokenCount"/> is the number of tokens before truncation.</summary>
    public int[] Encode(string text, out int tokenCount)
    {
        var buffer = new int[MaxLength];
        int n = EncodeInto(text, buffer, out tokenCount, out _);
        return buffer[..n];
    }

    /// <summary>
    /// Writes the ids of <paramref name="text"/> to the start of <paramref name="destination"/> (max_length long; the rest
    /// is left as it is, e.g. zero padding) and returns how many were written. <paramref name="tokenCount"/>: tokens
    /// before truncation; <paramref name="unknown"/>: written ids that are &lt;unk&gt;.
    /// </summary>
    public int EncodeInto(string text, Span<int> destination, out int tokenCount, out int unknown)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (destination.Length < MaxLength) throw new ArgumentException($"room for {destination.Length} ids, max_length is {MaxLength}", nameof(destination));
        var tokens = TextTokenizer.Tokenize(text, Lowercase);
        tokenCount = tokens.Count;
        unknown = 0;
        int n = Math.Min(tokens.Count, MaxLength);
        for (int i = 0; i < n; i++)
        {
            int id = Id(tokens[i]);
            if (id == TokenIds.Unknown) unknown++;
            destination[i] = id;
        }
        if (n > 0) return n;
        destination[0] = TokenIds.Unknown;
        unknown = 1;
        return 1;
    }

    /// <summary>Writes vocab.json atomically and remembers its hash in <see cref="Sha256"/>.</summary>
    public void Save(string path)
    {
        byte[] bytes = ToJson();
        AtomicWrite.Bytes(path, bytes);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("tokenizer", TextTokenizer.Name);
            w.WriteString("normalization", TextTokenizer.Normalization);
            w.WriteString("unicode_version", UnicodeNfkc.UnicodeVersion);
            w.WriteBoolean("strip_html", true);
            w.WriteBoolean("lowercase", Lowercase);
            w.WriteNumber("max_length", MaxLength);
            w.WriteNumber("min_count", Options.MinCount);
            w.WriteNumber("max_vocabulary_size", Options.VocabularySize);
            w.WriteNumber("vocabulary_size", Count);
            w.WriteNumber("pad_id", TokenIds.Pad);
            w.WriteNumber("unk_id", TokenIds.Unknown);
            w.WriteStartArray("tokens");
            foreach (string t in Tokens) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>SHA-256 (lowercase hex) of a vocabulary file.</summary>
    public static string FileSha256(string path) => ContentHash.OfFile(path);

    /// <summary>Reads and checks vocab.json; any problem is a <see cref="NasOnnxException"/> naming the file.</summary>
    public static TextVocabulary Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NasOnnxException($"the vocabulary file {path} does not exist",
                "point at the vocab.json beside the model (prepare-data writes it into its output folder)") { FilePath = path };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"the vocabulary file {path} cannot be read: {e.Message}", "check the file's permissions") { FilePath = path };
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var vocabulary = Parse(doc.RootElement);
            vocabulary.Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            return vocabulary;
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"it is not valid JSON ({e.Message})");
        }
        catch (VocabularyProblem e)
        {
            throw Damaged(path, e.Message);
        }
    }

    private sealed class VocabularyProblem(string message) : Exception(message);

    private static NasOnnxException Damaged(string path, string what) =>
        new($"the vocabulary file {path} is damaged: {what}",
            "copy vocab.json again from the prepare-data stage that trained the model, or re-run that stage with --force") { FilePath = path };

    private static TextVocabulary Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new VocabularyProblem("it is not a JSON object");
        if (Str(root, "format") != FormatName) throw new VocabularyProblem($"\"format\" is not \"{FormatName}\"");
        int version = Int(root, "version");
        if (version != FormatVersion)
            throw new VocabularyProblem($"it has version {version}; this nasonnx reads version {FormatVersion} (a newer nasonnx wrote it?)");
        if (Str(root, "tokenizer") is var tokenizer && tokenizer != TextTokenizer.Name)
            throw new VocabularyProblem($"its tokenizer is \"{tokenizer}\"; this nasonnx has \"{TextTokenizer.Name}\"");
        if (Str(root, "normalization") is var normalization && normalization != TextTokenizer.Normalization)
            throw new VocabularyProblem($"its normalization is \"{normalization}\"; this nasonnx has \"{TextTokenizer.Normalization}\"");
        if (Str(root, "unicode_version") is var unicode && unicode != UnicodeNfkc.UnicodeVersion)
            throw new VocabularyProblem($"it was normalized with the tables of Unicode {unicode}; this nasonnx has Unicode {UnicodeNfkc.UnicodeVersion}");
        if (!Bool(root, "strip_html")) throw new VocabularyProblem("\"strip_html\" is false; this nasonnx always removes HTML tags");
        if (Int(root, "pad_id") != TokenIds.Pad || Int(root, "unk_id") != TokenIds.Unknown)
            throw new VocabularyProblem($"\"pad_id\" and \"unk_id\" must be {TokenIds.Pad} and {TokenIds.Unknown}");
        var options = new TextVocabularyOptions(Int(root, "max_vocabulary_size"), Int(root, "min_count"), Int(root, "max_length"), Bool(root, "lowercase"));
        if (options.Problem() is { } problem) throw new VocabularyProblem(problem);
        if (!root.TryGetProperty("tokens", out var array) || array.ValueKind != JsonValueKind.Array)
            throw new VocabularyProblem("\"tokens\" is missing or not a list");
        var tokens = new List<string>(array.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } token)
                throw new VocabularyProblem($"token {tokens.Count} is not a non-empty string");
            if (!seen.Add(token)) throw new VocabularyProblem($"token {tokens.Count} (\"{token}\") appears twice");
            tokens.Add(token);
        }
        if (tokens.Count < 2 || tokens[TokenIds.Pad] != TokenIds.PadToken || tokens[TokenIds.Unknown] != TokenIds.UnknownToken)
            throw new VocabularyProblem($"the tokens must start with \"{TokenIds.PadToken}\", \"{TokenIds.UnknownToken}\"");
        int size = Int(root, "vocabulary_size");
        if (size != tokens.Count) throw new VocabularyProblem($"\"vocabulary_size\" is {size} but it lists {tokens.Count} tokens (cut short?)");
        if (size > options.VocabularySize) throw new VocabularyProblem($"it lists {size} tokens, more than its \"max_vocabulary_size\" {options.VocabularySize}");
        return new TextVocabulary(tokens, options);
    }

    private static JsonElement Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value : throw new VocabularyProblem($"\"{name}\" is missing");

    private static string Str(JsonElement root, string name) =>
        Field(root, name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw new VocabularyProblem($"\"{name}\" is not a string");

    private static int Int(JsonElement root, string name) =>
        Field(root, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i) ? i : throw new VocabularyProblem($"\"{name}\" is not an integer");

    private static bool Bool(JsonElement root, string name) => Field(root, name).ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new VocabularyProblem($"\"{name}\" is not true or false"),
    };
}

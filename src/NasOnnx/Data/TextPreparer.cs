using NasOnnx.Core;

namespace NasOnnx.Data;

/// <summary>Length and vocabulary coverage of one split's texts after tokenization.</summary>
/// <param name="Texts">Texts in the split.</param>
/// <param name="MedianTokens">Median tokens per text before truncation.</param>
/// <param name="MeanTokens">Mean tokens per text before truncation.</param>
/// <param name="MaxTokens">The longest text's tokens before truncation.</param>
/// <param name="Truncated">Texts longer than max_length (they keep their first max_length tokens).</param>
/// <param name="TruncatedShare">Truncated / Texts.</param>
/// <param name="UnknownShare">Share of the kept tokens that are &lt;unk&gt;.</param>
/// <param name="Empty">Texts without a single token (stored as one &lt;unk&gt;).</param>
public sealed record TextStatistics(int Texts, double MedianTokens, double MeanTokens, int MaxTokens, int Truncated, double TruncatedShare, double UnknownShare, int Empty)
{
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Texts} texts, median {MedianTokens:0.#} tokens (mean {MeanTokens:0.#}, max {MaxTokens}), {Truncated} ({100 * TruncatedShare:0.0}%) truncated, {100 * UnknownShare:0.00}% of kept tokens <unk>");
}

/// <summary>What <see cref="TextPreparer.Prepare"/> wrote.</summary>
/// <param name="DistinctTokens">Different tokens in the training texts.</param>
/// <param name="FrequentTokens">Those that occur at least min_count times (the vocabulary keeps the most frequent of them).</param>
public sealed record TextPrepareResult(TextVocabulary Vocabulary, int DistinctTokens, int FrequentTokens, TextStatistics Train, TextStatistics Test, long CacheBytes);

/// <summary>
/// Tokenizes a <see cref="TextCorpus"/> once: builds the vocabulary from the training texts only, writes vocab.json and
/// the token caches train.tokens and test.tokens (<see cref="TokenCacheFile"/>) into the output folder. Texts are
/// tokenized in parallel and written in corpus order, so the files are the same bytes on every run and machine.
/// </summary>
public static class TextPreparer
{
    public const string TrainCache = "train.tokens";
    public const string TestCache = "test.tokens";

    /// <summary>Units of progress <see cref="Prepare"/> reports: each training text twice (count, encode), each test text once.</summary>
    public static long ProgressUnits(TextCorpus corpus) => 2L * corpus.TrainTexts.Count + corpus.TestTexts.Count;

    public static TextPrepareResult Prepare(TextCorpus corpus, TextVocabularyOptions options, string outputDir, IProgressTask? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new NasOnnxException(problem, "fix the stage's params");
        long largest = (long)Math.Max(corpus.TrainTexts.Count, corpus.TestTexts.Count) * options.MaxLength;
        if (largest > Array.MaxLength)
            throw new NasOnnxException($"{corpus.Name}: {Math.Max(corpus.TrainTexts.Count, corpus.TestTexts.Count)} texts of {options.MaxLength} tokens do not fit one token cache ({Array.MaxLength} ids at most)",
                "lower max_length, or use fewer texts");
        var counts = TextVocabulary.CountTokens(corpus.TrainTexts, options.Lowercase, n =>
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Advance(n, "counting tokens");
        });
        var vocabulary = TextVocabulary.FromCounts(counts, options);
        vocabulary.Save(Path.Combine(outputDir, TextVocabulary.FileName));
        var train = Encode(vocabulary, corpus.TrainTexts, corpus.TrainLabels, Path.Combine(outputDir, TrainCache), progress, "train", cancellation);
        var test = Encode(vocabulary, corpus.TestTexts, corpus.TestLabels, Path.Combine(outputDir, TestCache), progress, "test", cancellation);
        long bytes = new FileInfo(Path.Combine(outputDir, TrainCache)).Length + new FileInfo(Path.Combine(outputDir, TestCache)).Length;
        return new TextPrepareResult(vocabulary, counts.Count, counts.Values.Count(c => c >= options.MinCount), train, test, bytes);
    }

    private static TextStatistics Encode(TextVocabulary vocabulary, IReadOnlyList<string> texts, byte[] labels, string path, IProgressTask? progress,
        string split, CancellationToken cancellation)
    {
        int length = vocabulary.MaxLength, n = texts.Count;
        var tokens = new int[(long)n * length];
        var counts = new int[n];
        var unknown = new int[n];
        var kept = new int[n];
        const int batch = 4096;
        for (int from = 0; from < n; from += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            int end = Math.Min(n, from + batch);
            Parallel.For(from, end, i => kept[i] = vocabulary.EncodeInto(texts[i], tokens.AsSpan(i * length, length), out counts[i], out unknown[i]));
            progress?.Advance(end - from, $"encoding {split}");
        }
        TokenCacheFile.Write(path, length, vocabulary.Count, tokens, labels);
        return Statistics(counts, kept, unknown, length);
    }

    private static TextStatistics Statistics(int[] counts, int[] kept, int[] unknown, int maxLength)
    {
        int n = counts.Length;
        if (n == 0) return new TextStatistics(0, 0, 0, 0, 0, 0, 0, 0);
        int[] sorted = (int[])counts.Clone();
        Array.Sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        int truncated = counts.Count(c => c > maxLength);
        long keptTotal = kept.Sum(k => (long)k), unknownTotal = unknown.Sum(u => (long)u);
        return new TextStatistics(n, median, Math.Round(counts.Average(), 2), sorted[^1], truncated, Math.Round((double)truncated / n, 6),
            Math.Round(keptTotal == 0 ? 0 : (double)unknownTotal / keptTotal, 6), counts.Count(c => c == 0));
    }
}

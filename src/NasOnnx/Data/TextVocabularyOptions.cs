namespace NasOnnx.Data;

/// <summary>How a word vocabulary is built from training texts and how texts are cut to a fixed length.</summary>
/// <param name="VocabularySize">The most ids the vocabulary may have, &lt;pad&gt; and &lt;unk&gt; included.</param>
/// <param name="MinCount">A token needs at least this many occurrences in the training texts to get an id of its own.</param>
/// <param name="MaxLength">Tokens kept per text: longer texts keep their first <paramref name="MaxLength"/> tokens.</param>
/// <param name="Lowercase">Lowercase the text before splitting it (invariant culture).</param>
public sealed record TextVocabularyOptions(int VocabularySize = 20000, int MinCount = 2, int MaxLength = 400, bool Lowercase = true)
{
    /// <summary>The problem with these options, or null when they are usable.</summary>
    public string? Problem() =>
        VocabularySize < 3 ? $"vocabulary_size must be at least 3 (<pad>, <unk> and one token), got {VocabularySize}"
        : MinCount < 1 ? $"min_count must be at least 1, got {MinCount}"
        : MaxLength < 1 ? $"max_length must be at least 1, got {MaxLength}"
        : MaxLength > MaxSequenceLength ? $"max_length must be at most {MaxSequenceLength}, got {MaxLength}"
        : null;

    /// <summary>The longest sequence a cache holds (a generous bound; networks are the real limit).</summary>
    public const int MaxSequenceLength = 1 << 16;
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NasOnnx.Data;

/// <summary>
/// Text to tokens, the same way on every machine (no culture, no model files): the rules that <see cref="TextVocabulary"/>
/// names in vocab.json as <see cref="Name"/>. In order:
/// <list type="number">
/// <item>Lone UTF-16 surrogates become U+FFFD; the apostrophe look-alikes ’ ‘ ´ ʼ ` become '.</item>
/// <item>Unicode normalization NFKC (full-width letters, ligatures, compatibility forms folded) from the tables built
/// into <see cref="UnicodeNfkc"/> (Unicode 14.0): the library runs with InvariantGlobalization, where
/// <see cref="string.Normalize()"/> leaves non-ASCII text as it is, and the ids must not depend on a machine's ICU.</item>
/// <item>HTML tags are removed (replaced by a space): a '&lt;' directly followed by a letter or '/' and a letter, up to
/// the next '&gt;' (IMDB's <c>&lt;br /&gt;</c>, <c>&lt;i&gt;</c>, <c>&lt;/em&gt;</c>); "&lt; 3" or "&lt;3" stay text.
/// Character entities are not decoded.</item>
/// <item>Lowercase with the invariant culture (optional; on by default).</item>
/// <item>Split: a word is a run of letters, digits and combining marks that starts with a letter or digit, and may hold
/// single inner apostrophes ("don't", "o'brien"); every other visible character is a token of its own ("!!" is two
/// "!" tokens); white space, control and format characters only separate tokens.</item>
/// </list>
/// Microsoft.ML.Tokenizers (2.0.1) was considered: it has BPE, WordPiece, SentencePiece and Tiktoken models that need a
/// trained vocabulary, but no way to build a word vocabulary from data and no word-level model; its pre-tokenizers are a
/// wrapper around a regular expression and its only casing normalizer has no NFKC or HTML step. The rules above are
/// short, so they are written here, where they are tested and versioned with the vocabulary file.
/// </summary>
public static partial class TextTokenizer
{
    /// <summary>The name of these rules in vocab.json; change it whenever a rule changes.</summary>
    public const string Name = "words-and-punctuation-v1";
    public const string Normalization = "NFKC";

    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    /// <summary>Steps 1-4: the text the splitter sees.</summary>
    public static string Normalize(string text, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = UnicodeNfkc.Normalize(Sanitize(text));
        if (s.Contains('<')) s = HtmlTag().Replace(s, " ");
        return lowercase ? s.ToLowerInvariant() : s;
    }

    /// <summary>The tokens of <paramref name="text"/>: <see cref="Normalize"/>, then <see cref="Split"/>.</summary>
    public static List<string> Tokenize(string text, bool lowercase = true)
    {
        var tokens = new List<string>();
        Split(Normalize(text, lowercase), tokens.Add);
        return tokens;
    }

    /// <summary>Step 5 on normalized text: calls <paramref name="emit"/> with each token in order.</summary>
    public static void Split(string normalized, Action<string> emit)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ArgumentNullException.ThrowIfNull(emit);
        int i = 0, n = normalized.Length;
        while (i < n)
        {
            int size = RuneAt(normalized, i, out Rune r);
            if (Rune.IsLetterOrDigit(r))
            {
                int start = i;
                i += size;
                while (i < n)
                {
                    int nextSize = RuneAt(normalized, i, out Rune next);
                    if (IsWordPart(next)) { i += nextSize; continue; }
                    if (next.Value == '\'' && i + 1 < n && RuneAt(normalized, i + 1, out Rune after) > 0 && Rune.IsLetterOrDigit(after)) { i++; continue; }
                    break;
                }
                emit(normalized[start..i]);
                continue;
            }
            i += size;
            if (IsSeparator(r)) continue;
            emit(r.ToString());
        }
    }

    /// <summary>The rune at <paramref name="index"/> (U+FFFD for a lone surrogate) and how many chars it takes.</summary>
    private static int RuneAt(string s, int index, out Rune rune)
    {
        Rune.DecodeFromUtf16(s.AsSpan(index), out rune, out int consumed);
        return consumed;
    }

    private static bool IsWordPart(Rune r) => Rune.IsLetterOrDigit(r) || Rune.GetUnicodeCategory(r) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>White space, control and format characters, unassigned code points and marks with nothing to combine with.</summary>
    private static bool IsSeparator(Rune r) => Rune.IsWhiteSpace(r) || Rune.GetUnicodeCategory(r) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse
        or UnicodeCategory.Surrogate or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Lone surrogates (which NFKC rejects) to U+FFFD, apostrophe look-alikes to '.</summary>
    private static string Sanitize(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            char replacement = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) replacement = '\uFFFD';
            else if (c is '\u2019' or '\u2018' or '\u00B4' or '\u02BC' or '`') replacement = '\'';
            if (replacement != c && sb is null) sb = new StringBuilder(text.Length).Append(text, 0, i);
            sb?.Append(replacement);
        }
        return sb?.ToString() ?? text;
    }
}

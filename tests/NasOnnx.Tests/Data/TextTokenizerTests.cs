using System.Globalization;
using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

/// <summary>The text rules: NFKC from the built-in tables, HTML tags, words with inner apostrophes, single punctuation marks.</summary>
public class TextTokenizerTests
{
    [Fact]
    public void Nfkc_matches_the_reference_on_every_changed_code_point_and_mixed_strings()
    {
        string file = Path.Combine(ModelZooTests.RepoRoot, "tests", "NasOnnx.Tests", "Data", "nfkc_cases.tsv");
        static string Decode(string hex) => hex.Length == 0 ? "" : string.Concat(hex.Split(' ').Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
        int checkedCases = 0;
        var failures = new List<string>();
        foreach (string line in File.ReadLines(file))
        {
            if (line.StartsWith('#')) continue;
            string[] parts = line.Split('\t');
            string input = Decode(parts[0]), expected = Decode(parts[1]);
            if (UnicodeNfkc.Normalize(input) != expected && failures.Count < 10) failures.Add(line);
            checkedCases++;
        }
        Assert.True(checkedCases > 7000, $"{checkedCases} cases");
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("Ｈｅｌｌｏ ﬁlm", "hello film")]
    [InlineData("café", "café")]
    [InlineData("cafe\u0301", "café")]
    [InlineData("½ x²", "1⁄2 x2")]
    [InlineData("ONE<br /><br />Two", "one  two")]
    [InlineData("<i>italic</i> and <a href=\"x\">link</a>", " italic  and  link ")]
    [InlineData("I <3 it, 5 < 6 > 4", "i <3 it, 5 < 6 > 4")]
    [InlineData("don’t", "don't")]
    public void Normalize_folds_compatibility_forms_strips_tags_and_lowercases(string text, string expected) =>
        Assert.Equal(expected, TextTokenizer.Normalize(text));

    [Fact]
    public void Lowercasing_is_optional() => Assert.Equal("MiXed", TextTokenizer.Normalize("MiXed", lowercase: false));

    [Theory]
    [InlineData("Great film!!! Loved it.", "great|film|!|!|!|loved|it|.")]
    [InlineData("don't o'brien rock'n'roll 'quoted'", "don't|o'brien|rock'n'roll|'|quoted|'")]
    [InlineData("it's  9.5/10 -- really?", "it's|9|.|5|/|10|-|-|really|?")]
    [InlineData("naïve résumé", "naïve|résumé")]
    [InlineData("tab\tnew\nline\u0085nel\u200Bzw", "tab|new|line|nel|zw")]
    [InlineData("smile 😀 ok", "smile|😀|ok")]
    [InlineData("end'", "end|'")]
    [InlineData("<br />", "")]
    public void Split_makes_words_with_inner_apostrophes_and_single_punctuation_marks(string text, string expected) =>
        Assert.Equal(expected, string.Join("|", TextTokenizer.Tokenize(text)));

    [Fact]
    public void A_lone_surrogate_becomes_a_replacement_character_instead_of_failing()
    {
        var tokens = TextTokenizer.Tokenize("a\uD800b");
        Assert.Equal(["a", "\uFFFD", "b"], tokens);
    }
}

using System.Text.Json.Nodes;
using NasOnnx.Data;

namespace NasOnnx.Tests.Data;

/// <summary>Building, encoding, saving and loading vocab.json, and the token caches.</summary>
public class TextVocabularyTests : IDisposable
{
    private readonly NasOnnx.Tests.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Texts =
    [
        "the cat sat on the mat",
        "the dog sat",
        "a cat! a dog?",
        "zebra",
    ];

    [Fact]
    public void Tokens_below_min_count_are_left_out_and_the_rest_ordered_by_count_then_ordinally()
    {
        var v = TextVocabulary.Build(Texts, new TextVocabularyOptions(MinCount: 2));
        // the x3; a, cat, dog, sat x2 (ordinal); !, ?, mat, on, zebra x1 are out.
        Assert.Equal(["<pad>", "<unk>", "the", "a", "cat", "dog", "sat"], v.Tokens);
        Assert.Equal(7, v.Count);
    }

    [Fact]
    public void The_size_cap_counts_pad_and_unk()
    {
        var v = TextVocabulary.Build(Texts, new TextVocabularyOptions(VocabularySize: 4, MinCount: 1));
        Assert.Equal(["<pad>", "<unk>", "the", "a"], v.Tokens);
    }

    [Fact]
    public void Encode_maps_unknown_tokens_to_unk_truncates_keeping_the_first_tokens_and_never_pads()
    {
        var v = TextVocabulary.Build(Texts, new TextVocabularyOptions(MinCount: 2, MaxLength: 4));
        Assert.Equal([2, 4, 6, 1], v.Encode("The cat sat on the mat", out int count));
        Assert.Equal(6, count);
        Assert.Equal([5, 6], v.Encode("DOG sat"));
        Assert.Equal([TokenIds.Unknown], v.Encode("   "));
        Assert.Equal([TokenIds.Unknown], v.Encode("<br /><br />"));
        foreach (string text in Texts.Append("x y z w v u t"))
            Assert.DoesNotContain(TokenIds.Pad, v.Encode(text));
    }

    [Fact]
    public void The_literal_text_of_the_special_tokens_is_never_their_id()
    {
        var v = TextVocabulary.Build(["<pad> <pad> <unk> <unk>"], new TextVocabularyOptions(MinCount: 1));
        Assert.DoesNotContain(TokenIds.Pad, v.Encode("<pad>"));
        Assert.Equal(2, v.Tokens.Count(t => t is "<pad>" or "<unk>"));
    }

    [Fact]
    public void Building_does_not_depend_on_the_order_chunks_are_counted_in()
    {
        var many = Enumerable.Range(0, 20000).Select(i => $"w{i % 97} w{i % 13} common {(i % 5 == 0 ? "rare" + i : "")}").ToList();
        var a = TextVocabulary.Build(many, new TextVocabularyOptions(VocabularySize: 60));
        var b = TextVocabulary.Build(many.AsEnumerable().Reverse().ToList(), new TextVocabularyOptions(VocabularySize: 60));
        Assert.Equal(a.Tokens, b.Tokens);
    }

    [Fact]
    public void Vocab_json_round_trips_and_its_hash_is_the_files()
    {
        var v = TextVocabulary.Build([.. Texts, "naïve café ünïcode"], new TextVocabularyOptions(VocabularySize: 50, MinCount: 1, MaxLength: 7, Lowercase: false));
        string path = _dir["vocab.json"];
        v.Save(path);
        var back = TextVocabulary.Load(path);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Equal(v.Options, back.Options);
        Assert.Equal(TextVocabulary.FileSha256(path), back.Sha256);
        Assert.Equal(v.Sha256, back.Sha256);
        Assert.Equal(v.Encode("the Cat sat naïve"), back.Encode("the Cat sat naïve"));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("NFKC", (string?)json["normalization"]);
        Assert.Equal(false, (bool?)json["lowercase"]);
        Assert.Equal(7, (int?)json["max_length"]);
        Assert.Equal(v.Count, (int?)json["vocabulary_size"]);
        Assert.Equal(50, (int?)json["max_vocabulary_size"]);
        Assert.Equal(1, (int?)json["version"]);
    }

    [Theory]
    [InlineData("cut", "not valid JSON")]
    [InlineData("version", "version 2")]
    [InlineData("tokens-short", "lists")]
    [InlineData("duplicate", "appears twice")]
    [InlineData("no-pad", "must start with")]
    [InlineData("tokenizer", "its tokenizer")]
    [InlineData("unicode", "Unicode 9.0.0")]
    [InlineData("max-length", "max_length must be at least 1")]
    [InlineData("missing", "\"min_count\" is missing")]
    [InlineData("empty-token", "not a non-empty string")]
    public void A_damaged_vocabulary_file_is_refused_naming_the_file_and_the_problem(string damage, string expected)
    {
        var v = TextVocabulary.Build(Texts, new TextVocabularyOptions(MinCount: 1));
        string path = _dir["vocab.json"];
        v.Save(path);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var tokens = json["tokens"]!.AsArray();
        switch (damage)
        {
            case "cut": File.WriteAllText(path, File.ReadAllText(path)[..100]); break;
            case "version": json["version"] = 2; break;
            case "tokens-short": tokens.RemoveAt(tokens.Count - 1); break;
            case "duplicate": tokens[3] = (string?)tokens[2]; break;
            case "no-pad": tokens[0] = "pad"; break;
            case "tokenizer": json["tokenizer"] = "bpe"; break;
            case "unicode": json["unicode_version"] = "9.0.0"; break;
            case "max-length": json["max_length"] = 0; break;
            case "missing": json.Remove("min_count"); break;
            case "empty-token": tokens[4] = ""; break;
        }
        if (damage != "cut") File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<NasOnnxException>(() => TextVocabulary.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void A_missing_vocabulary_file_says_where_it_should_come_from()
    {
        var e = Assert.Throws<NasOnnxException>(() => TextVocabulary.Load(_dir["nowhere/vocab.json"]));
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("prepare-data", e.Fix);
    }

    [Fact]
    public void Token_caches_round_trip_and_refuse_damage()
    {
        int[] tokens = [2, 3, 0, 0, 4, 1, 1, 5];
        byte[] labels = [1, 0];
        string path = _dir["train.tokens"];
        TokenCacheFile.Write(path, 4, 6, tokens, labels);
        var data = TokenCacheFile.Read(path, "t", ["a", "b"], 4, 6);
        Assert.True(data.IsText);
        Assert.Equal(tokens, data.Tokens);
        Assert.Equal(labels, data.Labels);
        Assert.Equal([4, 1, 1, 5], data.Sequence(1).ToArray());

        Assert.Contains("over 6 ids", Assert.Throws<NasOnnxException>(() => TokenCacheFile.Read(path, "t", ["a", "b"], 4, 7)).Message);
        Assert.Contains("label 1", Assert.Throws<NasOnnxException>(() => TokenCacheFile.Read(path, "t", ["a"], 4, 6)).Message);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        Assert.Contains("bytes", Assert.Throws<NasOnnxException>(() => TokenCacheFile.Read(path, "t", ["a", "b"], 4, 6)).Message);
        TokenCacheFile.Write(path, 4, 6, [2, 0, 3, 0, 4, 1, 1, 5], labels);
        Assert.Contains("after its padding", Assert.Throws<NasOnnxException>(() => TokenCacheFile.Read(path, "t", ["a", "b"], 4, 6)).Message);
        TokenCacheFile.Write(path, 4, 6, [2, 9, 0, 0, 4, 1, 1, 5], labels);
        Assert.Contains("id 9", Assert.Throws<NasOnnxException>(() => TokenCacheFile.Read(path, "t", ["a", "b"], 4, 6)).Message);
    }
}

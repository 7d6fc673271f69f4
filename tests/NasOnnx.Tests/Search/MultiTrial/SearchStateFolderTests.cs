using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Tests.Search.MultiTrial;

public class SearchStateFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Fill()
    {
        _dir.Write("state/evaluations.jsonl", "{\"key\":\"abc@0\",\"objectives\":{\"accuracy\":0.1}}\n");
        _dir.Write("state/trials/abc-r0/result.json", "{}");
    }

    [Fact]
    public void A_folder_of_the_same_search_is_kept_and_one_of_another_search_is_emptied()
    {
        var warnings = new List<string>();
        string state = _dir["state"];
        SearchStateFolder.Claim(state, "A", warnings.Add);
        Fill();
        SearchStateFolder.Claim(state, "A", warnings.Add);
        Assert.True(File.Exists(_dir["state/evaluations.jsonl"]));
        Assert.True(File.Exists(_dir["state/trials/abc-r0/result.json"]));
        Assert.Empty(warnings);

        // Another trial recipe: the cached evaluations and trial results were made under it and must not be reused.
        SearchStateFolder.Claim(state, "B", warnings.Add);
        Assert.False(File.Exists(_dir["state/evaluations.jsonl"]));
        Assert.False(Directory.Exists(_dir["state/trials"]));
        Assert.Equal("B", File.ReadAllText(_dir["state/fingerprint.txt"]));
        Assert.Contains("starting over", Assert.Single(warnings));
    }

    [Fact]
    public void A_folder_without_a_fingerprint_file_is_recognised_by_its_search_state_or_emptied()
    {
        Fill();
        _dir.Write("state/search_state.json", "{\"fingerprint\":\"A\",\"proposals\":3}");
        SearchStateFolder.Claim(_dir["state"], "A");
        Assert.True(File.Exists(_dir["state/evaluations.jsonl"]));
        Assert.Equal("A", File.ReadAllText(_dir["state/fingerprint.txt"]));

        File.Delete(_dir["state/fingerprint.txt"]);
        File.Delete(_dir["state/search_state.json"]);
        // killed before the first state was saved: whose evaluations these are cannot be told, so they go
        SearchStateFolder.Claim(_dir["state"], "A");
        Assert.False(File.Exists(_dir["state/evaluations.jsonl"]));
    }
}

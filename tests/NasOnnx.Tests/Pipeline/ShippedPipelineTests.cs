using NasOnnx.Pipeline;
using NasOnnx.Architectures;
using NasOnnx.Spaces;

namespace NasOnnx.Tests.Pipeline;

/// <summary>
/// The pipeline files and architecture files the repository ships parse with the real stage catalog (known kinds,
/// params, inputs) and the real spaces, so a typo in pipeline/imdb.yaml fails here, not an hour into a run.
/// </summary>
public class ShippedPipelineTests
{
    private static string PipelineDir => Path.Combine(ModelZooTests.RepoRoot, "pipeline");

    public static TheoryData<string> PipelineFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(PipelineDir, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)) data.Add(f!);
        return data;
    }

    public static TheoryData<string> ArchitectureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(PipelineDir, "archs"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)) data.Add(f!);
        return data;
    }

    [Theory]
    [MemberData(nameof(PipelineFiles))]
    public void Pipeline_file_parses_with_the_stage_catalog(string file)
    {
        var registry = StageCatalog.CreateRegistry();
        var pipeline = new PipelineParser(registry).ParseFile(Path.Combine(PipelineDir, file));
        Assert.NotEmpty(pipeline.Stages);
    }

    [Theory]
    [MemberData(nameof(ArchitectureFiles))]
    public void Architecture_file_parses_in_its_space(string file)
    {
        // A text architecture may leave its config to the data it trains on (ArchitectureSource fills the vocabulary in):
        // it parses with the options of the IMDB pipelines' data (20,000 ids, 400 tokens, 2 classes).
        string json = File.ReadAllText(Path.Combine(PipelineDir, "archs", file));
        bool text = System.Text.Json.Nodes.JsonNode.Parse(json)?["space"]?.GetValue<string>() == "text";
        var arch = SpaceRegistry.Parse(json, text ? SpaceOptions.Text(20000, 400, 2) : null);
        Assert.Matches("^[0-9a-f]{12}$", arch.ArchId);
    }

    [Fact]
    public void The_imdb_pipelines_train_with_one_recipe()
    {
        var registry = StageCatalog.CreateRegistry();
        var parser = new PipelineParser(registry);
        string Recipe(StageDefinition s) => string.Join(",", new[] { "optimizer", "epochs", "batch_size", "lr", "weight_decay", "grad_clip" }
            .Select(k => s.Params.TryGetValue(k, out var v) ? $"{k}={v.Value}" : $"{k}=-"));
        var recipes = new[] { "imdb.yaml", "imdb-latency.yaml", "imdb-baselines.yaml" }
            .SelectMany(f => parser.ParseFile(Path.Combine(PipelineDir, f)).Stages.Where(s => s.Kind == "retrain"))
            .Select(Recipe).Distinct().ToList();
        Assert.Single(recipes);

        // ... on the same data: reviews cut to the same length, the same vocabulary, the same validation reviews.
        string Data(StageDefinition s) => string.Join(",", s.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Value}"));
        var data = new[] { "imdb.yaml", "imdb-latency.yaml", "imdb-baselines.yaml" }
            .SelectMany(f => parser.ParseFile(Path.Combine(PipelineDir, f)).Stages.Where(s => s.Kind == "prepare-data"))
            .Select(Data).Distinct().ToList();
        Assert.Single(data);
        Assert.Contains("validation_split=contiguous", data[0]);
    }
}

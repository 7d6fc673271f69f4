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
    public void Best_fashion_trains_every_candidate_with_one_recipe_and_three_seeds()
    {
        var pipeline = new PipelineParser(StageCatalog.CreateRegistry()).ParseFile(Path.Combine(PipelineDir, "best-fashion.yaml"));
        var retrains = pipeline.Stages.Where(s => s.Kind == "retrain").ToList();

        // The comparison is fair only if nothing but the network differs: every retrain param except arch is the same.
        string Recipe(StageDefinition s) => string.Join(",", s.Params.Where(p => p.Key != "arch")
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Text(p.Value.Value)}"));
        Assert.Single(retrains.Select(Recipe).Distinct());

        // Every candidate the compare stage names has seeds 1-3, each retrained, exported and evaluated with ONNX Runtime.
        var compare = Assert.Single(pipeline.Stages, s => s.Kind == "compare");
        var candidates = Text(compare.Params["candidates"].Value).Split(',');
        Assert.Equal(["searched", "resnet", "cnn-wide", "mobilenetv2"], candidates);
        var byName = pipeline.Stages.ToDictionary(s => s.Name);
        foreach (var c in candidates)
            for (int seed = 1; seed <= 3; seed++)
            {
                Assert.Equal("retrain", byName[$"{c}-{seed}"].Kind);
                Assert.Equal($"{c}-{seed}", byName[$"{c}-{seed}-export"].Inputs["model"]);
                Assert.Equal($"{c}-{seed}-export", byName[$"{c}-{seed}-onnx"].Inputs["model"]);
            }
        Assert.Equal(12, retrains.Count);

        // The searched network is retrained from the search's derived architecture, not a fixed file.
        Assert.Equal("derive", byName["searched-1"].Inputs["arch"]);
        Assert.False(byName["searched-1"].Params.ContainsKey("arch"));
    }

    /// <summary>A param as written: a list's items joined by commas.</summary>
    private static string Text(object value) => value is System.Collections.IEnumerable items and not string
        ? string.Join(",", items.Cast<object>())
        : value.ToString() ?? "";

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

using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Pipeline;
using NasOnnx.Tests.Pipeline;

namespace NasOnnx.Tests.Data;

/// <summary>prepare-data on generated image folders and manifests: layouts, splits, caches, statistics, the memory-mapped path.</summary>
public class ImageFolderTests : IDisposable
{
    private readonly NasOnnx.Tests.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Pipeline(string path, string extra = "") => _dir.Write("pipeline/img.yaml", $$"""
        name: img
        seed: 5
        defaults: { threads: 1 }
        stages:
          - name: data
            kind: prepare-data
            params: { path: {{path}}, resolution: 16, validation_fraction: 0.25{{extra}} }
        """);

    private static RunResult Run(string file, RunOptions? options = null)
    {
        var registry = StageCatalog.CreateRegistry();
        return new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), options ?? new RunOptions());
    }

    private PreparedDataset Prepared => PreparedDataset.Load(_dir["runs/img/data"]);

    [Fact]
    public void Class_folders_become_a_stratified_split_with_sorted_class_names_and_measured_statistics()
    {
        ImageFiles.WriteClassFolders(_dir["data/imgs"], ["dog", "cat", "bird"], perClass: 10);
        Run(Pipeline("data/imgs"));
        var p = Prepared;
        Assert.Equal(PreparedDataset.FolderFormat, p.Format);
        Assert.Equal(["bird", "cat", "dog"], p.ClassNames);
        Assert.Equal((3, 16, 16), (p.Channels, p.Height, p.Width));
        Assert.Equal(24, p.TrainCount);
        Assert.Equal(6, p.TestCount);
        var data = p.LoadData();
        Assert.Equal([2, 2, 2], data.Test.ClassCounts());
        Assert.Equal([8, 8, 8], data.TrainImages.ClassCounts());
        Assert.Equal(6, data.ValidationIndices.Length);
        Assert.True(data.TrainImages.InMemory);
        var measured = Normalization.Compute(data.TrainImages);
        Assert.Equal(measured.Mean, p.Mean);
        Assert.Equal(measured.Std, p.Std);
        // "bird" is the third generated class, blue: its pixels are bluer than red.
        var bird = data.TrainImages.Image(Array.IndexOf(data.TrainImages.Labels, (byte)0));
        Assert.True(bird[2 * 256 + 100] > bird[100]);
        Assert.Equal("split,class,name,images", File.ReadAllLines(_dir["runs/img/data/summary.csv"])[0]);
        Assert.Single(File.ReadAllLines(_dir["runs/img/data/" + NasOnnx.Pipeline.Stages.PrepareDataStage.SkippedFile]));
    }

    [Fact]
    public void Train_val_test_folders_are_taken_as_given_and_grayscale_works()
    {
        ImageFiles.WriteClassFolders(_dir["data/split/train"], ["a", "b"], perClass: 6, seed: 1);
        ImageFiles.WriteClassFolders(_dir["data/split/val"], ["a", "b"], perClass: 2, seed: 2);
        ImageFiles.WriteClassFolders(_dir["data/split/test"], ["a"], perClass: 3, seed: 3);
        Run(Pipeline("data/split", ", channels: 1"));
        var p = Prepared;
        Assert.Equal((1, 16, 3), (p.Channels, p.TrainCount, p.TestCount));
        Assert.Equal(4, p.ValidationCount);
        var data = p.LoadData();
        Assert.Equal(12, data.TrainIndices.Length);
        Assert.Equal([12, 13, 14, 15], data.ValidationIndices);
        Assert.Equal([3, 0], data.Test.ClassCounts());
        Assert.Equal(256, data.Test.ImageSize);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public void A_manifest_lists_images_relative_to_itself(string kind)
    {
        var lines = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            string label = i % 2 == 0 ? "zebra" : "ant";
            ImageFiles.Write(_dir[$"data/m/files/{i}.png"], i % 2, i, width: 9 + i, height: 13);
            lines.Add(kind == "csv" ? $"files/{i}.png,{label}" : $$"""{"path": "files/{{i}}.png", "label": "{{label}}"}""");
        }
        string manifest = _dir.Write($"data/m/list.{kind}", (kind == "csv" ? "path,label\n" : "") + string.Join("\n", lines) + "\n");
        Run(Pipeline($"data/m/list.{kind}"));
        var p = Prepared;
        Assert.Equal(["ant", "zebra"], p.ClassNames);
        Assert.Equal(manifest, p.Folder);
        Assert.Equal(12, p.TrainCount + p.TestCount);
        Assert.Equal([1, 1], p.LoadData().Test.ClassCounts()); // 0.2 of 6 per class, rounded
    }

    [Fact]
    public void The_cache_is_reused_until_an_image_changes_or_is_added()
    {
        ImageFiles.WriteClassFolders(_dir["data/imgs"], ["x", "y"], perClass: 5);
        string file = Pipeline("data/imgs");
        Assert.Equal(StageOutcome.Ran, Run(file).Stages[0].Outcome);
        string hash = ContentHash.OfFile(_dir["runs/img/data/train.bin"]);
        Assert.Equal(StageOutcome.Skipped, Run(file).Stages[0].Outcome);
        File.SetLastWriteTimeUtc(_dir["data/imgs/x/00.png"], DateTime.UtcNow.AddHours(1)); // a touch without a change is no change
        Assert.Equal(StageOutcome.Skipped, Run(file).Stages[0].Outcome);
        ImageFiles.Write(_dir["data/imgs/x/00.png"], 0, seed: 99);
        Assert.Equal(StageOutcome.Ran, Run(file).Stages[0].Outcome);
        Assert.NotEqual(hash, ContentHash.OfFile(_dir["runs/img/data/train.bin"]));
        ImageFiles.Write(_dir["data/imgs/y/new.png"], 1, seed: 98);
        Assert.Equal(StageOutcome.Ran, Run(file).Stages[0].Outcome);
        Assert.Equal(11, Prepared.TrainCount + Prepared.TestCount);
        Assert.Equal(StageOutcome.Ran, Run(Pipeline("data/imgs", ", channels: 1")).Stages[0].Outcome);
    }

    [Fact]
    public void A_cache_over_the_memory_budget_is_memory_mapped_and_the_loader_reads_the_same_batches()
    {
        // 3x64x64 = 12 KiB an image, 100 images: 1.2 MiB of cache against a 1 MiB budget.
        ImageFiles.WriteClassFolders(_dir["data/big"], ["p", "q"], perClass: 50);
        _dir.Write("pipeline/big.yaml", """
            name: big
            seed: 5
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/big, resolution: 64, memory_budget_mb: 1 }
            """);
        Run(_dir["pipeline/big.yaml"]);
        var mapped = PreparedDataset.Load(_dir["runs/big/data"]);
        Assert.True(new FileInfo(_dir["runs/big/data/train.bin"]).Length > 1024 * 1024 - 200_000);
        var fromMap = mapped.LoadData();
        var inMemory = (mapped with { MemoryBudgetMb = 1024 }).LoadData();
        Assert.False(fromMap.TrainImages.InMemory);
        Assert.False(fromMap.Test.InMemory);
        Assert.True(inMemory.TrainImages.InMemory);
        var options = new BatchLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 3, Normalization = mapped.Normalization, Augmentations = Augmentations.Build(mapped.Name, 4, "on", 16) };
        using var a = new BatchLoader(fromMap.TrainImages, fromMap.TrainIndices, options);
        using var b = new BatchLoader(inMemory.TrainImages, inMemory.TrainIndices, options);
        var batchesA = a.Epoch(1).ToList();
        var batchesB = b.Epoch(1).ToList();
        Assert.Equal(batchesB.Count, batchesA.Count);
        for (int i = 0; i < batchesA.Count; i++)
        {
            Assert.Equal(batchesB[i].Labels, batchesA[i].Labels);
            Assert.Equal(batchesB[i].Images, batchesA[i].Images);
        }
    }
}

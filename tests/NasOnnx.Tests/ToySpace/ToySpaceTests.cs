using NasOnnx.Architectures;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Runtime;
using NasOnnx.Spaces;
using NasOnnx.Tests.Pipeline;
using NasOnnx.Artifacts;

namespace NasOnnx.Tests.ToySpace;

/// <summary>A space registered from outside the library, while it is registered; runs alone so no other test sees it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ToySpaceCollection
{
    public const string Name = "toy space registered (runs alone)";
}

/// <summary>
/// Adding a space is one folder and one registration line: the toy space of this folder (defined in the tests project,
/// nothing in src/ names it) is sampled, exported to ONNX and checked with ONNX Runtime, searched by a multi-trial
/// strategy and by two one-shot strategies, derived, retrained and exported, through the real pipeline stages.
/// </summary>
[Collection(ToySpaceCollection.Name)]
public sealed class ToySpaceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ToySpaceTests() => SpaceRegistry.Register(new ToyPlugin()); // the registration line

    public void Dispose()
    {
        SpaceRegistry.Unregister(ToySpace.SpaceName);
        _dir.Dispose();
    }

    [Fact]
    public void A_sampled_toy_architecture_round_trips_through_json_and_exports_to_onnx_that_matches_torchsharp()
    {
        TorchRuntime.Initialize(1);
        var space = SpaceRegistry.Create("toy", new SpaceOptions(Width: 3, Depth: 3));
        var arch = space.Sample(new Random(4));
        Assert.Equal(3, ((ToyArchitecture)arch).Layers.Count);
        Assert.Equal(arch.ArchId, SpaceRegistry.Parse(arch.ToJson()).ArchId);

        string onnx = _dir["toy.onnx"];
        var result = ArchitectureExporter.ExportRandom(arch, seed: 2, onnx);
        Assert.Equal("toy", result.Space);
        using var net = NetworkFactory.BuildRandom(arch, seed: 2);
        var verify = OnnxVerifier.Compare(net, File.ReadAllBytes(onnx));
        Assert.True(verify.MaxAbsDiff < 1e-4, $"TorchSharp and ONNX Runtime differ by {verify.MaxAbsDiff}");
        Assert.Equal(arch.ArchId, OnnxInspector.Inspect(onnx).Metadata[OnnxExporter.Keys.ArchId]);
    }

    [Fact]
    public void The_pipeline_searches_the_toy_space_multi_trial_and_one_shot_and_ships_the_result()
    {
        LearnableData.Write(_dir["data/tiny"], train: 300, test: 100);
        string file = _dir.Write("pipeline/toy.yaml", """
            name: toy
            seed: 5
            defaults: { threads: 1 }
            stages:
              - name: data
                kind: prepare-data
                params: { path: data/tiny, validation_fraction: 0.2 }
              - name: evolve
                kind: search
                inputs: { data: data }
                params: { space: toy, width: 4, depth: 2, strategy: evolution, trials: 4, population: 2, sample: 2,
                          trial_epochs: 1, trial_data_fraction: 0.5, trial_batch_size: 32, trial_lr: 0.05 }
              - name: derive
                kind: derive
                inputs: { search: evolve }
              - name: retrain
                kind: retrain
                inputs: { data: data, arch: derive }
                params: { epochs: 1, batch_size: 32, lr: 0.05 }
              - name: export
                kind: export
                inputs: { model: retrain, data: data }
              - name: darts
                kind: search
                inputs: { data: data }
                params: { space: toy, width: 4, depth: 2, strategy: darts, supernet_epochs: 1, supernet_batch_size: 32, supernet_data_fraction: 0.5 }
              - name: derive-darts
                kind: derive
                inputs: { search: darts }
              - name: gdas
                kind: search
                inputs: { data: data }
                params: { space: toy, width: 4, depth: 2, strategy: gdas, supernet_epochs: 1, supernet_batch_size: 32, supernet_data_fraction: 0.5 }
              - name: derive-gdas
                kind: derive
                inputs: { search: gdas }
            """);
        var registry = StageCatalog.CreateRegistry();
        var result = new PipelineRunner(registry, new CollectingLog()).Run(new PipelineParser(registry).ParseFile(file), new RunOptions());
        Assert.All(result.Stages, s => Assert.Equal(StageOutcome.Ran, s.Outcome));

        var evolved = Assert.IsType<ToyArchitecture>(SpaceRegistry.Load(_dir["runs/toy/derive/architecture.json"]));
        Assert.Equal(2, evolved.Layers.Count);
        Assert.Equal(4, File.ReadAllLines(_dir["runs/toy/evolve/search_log.csv"]).Length - 1);
        var exported = OnnxInspector.Inspect(_dir["runs/toy/export/model.onnx"]);
        Assert.Equal("toy", exported.Metadata[OnnxExporter.Keys.Space]);
        Assert.Equal(evolved.ArchId, exported.Metadata[OnnxExporter.Keys.ArchId]);
        foreach (var oneShot in new[] { "derive-darts", "derive-gdas" })
            Assert.IsType<ToyArchitecture>(SpaceRegistry.Load(_dir[$"runs/toy/{oneShot}/architecture.json"]));
        Assert.True(File.Exists(_dir["runs/toy/darts/alphas.csv"]));
    }
}

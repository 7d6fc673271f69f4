using NasOnnx.Data;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using NasOnnx.Search;
using NasOnnx.Search.OneShot;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Tests.Search.OneShot;

/// <summary>In-memory learnable data and search contexts for one-shot strategy tests (no files but the state/output folders).</summary>
public static class OneShotKit
{
    /// <summary>Class c: background about 22c plus noise, and a bright bar on row 2c+4 (as LearnableData).</summary>
    public static LoadedData Data(int count, int size = 28, int seed = 1)
    {
        var rng = new Random(seed);
        var px = new byte[count * size * size];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(10);
            labels[i] = (byte)c;
            for (int p = 0; p < size * size; p++) px[i * size * size + p] = (byte)(22 * c + rng.Next(0, 40));
            int row = (2 * c + 4) * size / 28, start = rng.Next(0, size / 4);
            for (int x = start; x < Math.Min(size, start + size * 2 / 3); x++) px[i * size * size + row * size + x] = (byte)rng.Next(180, 256);
        }
        var names = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray();
        var ds = new Dataset("learnable", 1, size, size, px, labels, names);
        var info = new PreparedDataset
        {
            Name = "learnable", Source = "local", Folder = "", TrainFiles = [], TestFiles = [], FileHashes = new Dictionary<string, string>(),
            Channels = 1, Height = size, Width = size, ClassNames = names, Mean = [0.5f], Std = [0.25f],
            TrainCount = count, TestCount = 0, ValidationFraction = 0, SplitSeed = 0,
        };
        return new LoadedData(info, ds, Enumerable.Range(0, count).ToArray(), [], ds);
    }

    public static SearchContext Context(string root, string spaceName, SpaceOptions options, LoadedData data, IReadOnlyDictionary<string, object?> overrides,
        IRunLog? log = null, CancellationToken cancel = default, long seed = 7)
    {
        var p = OneShotSettings.Specs.ToDictionary(s => s.Name, s => s.Default);
        foreach (var (k, v) in overrides) p[k] = v;
        var stage = new StageContext
        {
            PipelineName = "test", PipelineFile = "test.yaml", StageName = "search", Kind = "search",
            OutputDir = Path.Combine(root, "out"), WorkDir = Path.Combine(root, "work"), ProjectRoot = root,
            Inputs = new Dictionary<string, string>(), Params = p, Seed = seed, Log = log ?? new Pipeline.CollectingLog(), Cancellation = cancel,
        };
        Directory.CreateDirectory(stage.OutputDir);
        Directory.CreateDirectory(stage.WorkDir);
        return new SearchContext
        {
            Params = stage, Log = stage.Log, Seed = stage.Seed, Cancellation = stage.Cancellation, StateDir = Path.Combine(stage.WorkDir, "state"), OutputDir = stage.OutputDir, Space = SpaceRegistry.Create(spaceName, options), SpaceName = spaceName, SpaceOptions = options,
            Data = new Lazy<LoadedData>(() => data),
        };
    }
}

using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Onnx;
using Google.Protobuf;

namespace NasOnnx.Spaces;

/// <summary>The latency tools over any registered space: its latency model, saved predictors, whole-model measurements.</summary>
public static class SpaceLatency
{
    /// <summary>Spaces with a latency lookup table.</summary>
    public static IReadOnlyList<string> Spaces => SpaceRegistry.NamesWhere(p => p.LatencyModel(p.Create(p.DefaultOptions), 1) is not null);

    /// <summary>The space's latency model at a batch size; fails, saying what to do instead, for spaces without one.</summary>
    public static ISpaceLatencyModel Model(ISearchSpace space, int batch) =>
        SpaceRegistry.Of(space).LatencyModel(space, batch)
        ?? throw new NasOnnxException($"No latency lookup table for the '{space.Name}' space yet.",
            $"Use one of: {string.Join(", ", Spaces)}; measure '{space.Name}' models whole with the benchmark stage.");

    /// <summary>Loads the predictor a profile-latency stage wrote into <paramref name="dir"/>.</summary>
    public static LatencyPredictor LoadPredictor(string dir) => LoadPredictor(dir, out _, out _);

    /// <summary>Loads the predictor a profile-latency stage wrote into <paramref name="dir"/>; also returns its space.</summary>
    public static LatencyPredictor LoadPredictor(string dir, out ISearchSpace space) => LoadPredictor(dir, out space, out _);

    /// <summary>Also returns the space options (channels, resolution, classes, width, depth) the table was profiled for.</summary>
    public static LatencyPredictor LoadPredictor(string dir, out ISearchSpace space, out SpaceOptions options)
    {
        var stored = LatencyPredictor.LoadStored(dir);
        options = stored.SpaceOptions;
        space = SpaceRegistry.Create(stored.Space, stored.SpaceOptions);
        return new LatencyPredictor(stored.Table, Model(space, stored.Batch), stored.Calibration);
    }

    /// <summary>
    /// The predictor for <paramref name="space"/> (options <paramref name="options"/>) from one profiled with
    /// <paramref name="profiled"/>: itself when the options are equal; when they differ only in the text space's ops or
    /// poolings and the table holds every op the space's latency model needs (a profile over all ops serving a search over
    /// some), the same table and calibration through <paramref name="space"/>'s latency model, so per-choice latencies are
    /// indexed by this space's decisions and not the profile's; null otherwise (the caller refuses it).
    /// </summary>
    public static LatencyPredictor? ForSpace(LatencyPredictor predictor, SpaceOptions profiled, ISearchSpace space, SpaceOptions options)
    {
        if (predictor.Model.Space != space.Name) return null;
        if (profiled == options) return predictor;
        if (profiled with { Ops = options.Ops, Poolings = options.Poolings } != options) return null;
        var model = Model(space, predictor.Table.Fingerprint.Batch);
        return model.Candidates().All(c => c.EmitsNothing || predictor.Table.Contains(c.Key))
            ? new LatencyPredictor(predictor.Table, model, predictor.Calibration)
            : null;
    }

    /// <summary>The whole-model ONNX of an architecture with seeded random weights (what the exporter writes).</summary>
    public static byte[] WholeModel(IArchitecture architecture, int seed)
    {
        using var net = NetworkFactory.BuildRandom(architecture, seed);
        return OnnxExporter.BuildModel(net).ToByteArray();
    }

    /// <summary>Measures whole models of the architectures (interleaved rounds); returns the measurements in order.</summary>
    public static IReadOnlyList<LatencyMeasurement> MeasureWhole(IReadOnlyList<IArchitecture> archs, BenchmarkOptions options, int seed, int rounds = 5)
    {
        var models = archs.Select((a, i) => WholeModel(a, seed + i)).ToArray();
        return LatencyHarness.MeasureInterleaved(models, options, rounds);
    }
}

using System.Text.Json;
using NasOnnx.Latency;
using NasOnnx.Reporting;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Architectures;

namespace NasOnnx.Pipeline.Stages;

/// <summary>
/// Builds the latency lookup table of a space at an input size (one-op ONNX models measured with the harness,
/// cached by device fingerprint and op key) and calibrates the predictor on a few measured whole models.
/// Writes latency_table.json, predictor.json, table.csv, calibration.csv and profile.json.
/// </summary>
public sealed class ProfileLatencyStage : IStage
{
    public const string CalibrationArchitecturesFile = "calibration_architectures.json";

    public string Kind => "profile-latency";
    public string Description => "Build a per-op latency lookup table for a space (cached per device) and calibrate the latency predictor.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("space", SpaceRegistry.DefaultLatencySpace, "the search space", [.. SpaceLatency.Spaces]),
        ParamSpec.Int("channels", 1, "input channels (ignored when a `data` input is given)"),
        ParamSpec.Int("resolution", 28, "input height and width (ignored when a `data` input is given)"),
        ParamSpec.Int("classes", 10, "classes (ignored when a `data` input is given)"),
        ParamSpec.Int("width", 0, "base width of the space's networks (0: the space's default)"),
        ParamSpec.Int("depth", 0, "depth of the space's networks (0: the space's default)"),
        .. DataSpaceOptions.TextSpaceParams,
        .. LatencyParams.Bench(runs: 100, warmup: 10),
        ParamSpec.Int("rounds", 5, "interleaved rounds: models measured round-robin so load bursts hit all alike"),
        ParamSpec.Int("calibration_models", 8, "whole models measured to fit the predictor's scale and overhead (spread over the space's range of predicted latency)"),
        ParamSpec.Bool("differential", true, "measure ops in context: shape-keeping ones as (op twice) - (op once), others as (1x1 conv, op) - (1x1 conv); false: every op alone minus an empty model"),
        ParamSpec.Str("cache", ".nasonnx/latency-cache", "lookup-table cache folder (relative to the project root); tables are reused when the device fingerprint and keys match"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("data", "a prepare-data stage (input shape and classes)", Required: false)];

    public void Validate(StageContext context)
    {
        LatencyParams.Options(context);
        DataSpaceOptions.ValidateTextParams(context, context.RequiredString("space"));
    }

    internal static SpaceOptions SpaceOptionsOf(StageContext context)
    {
        int? Opt(string name) => context.Int(name) > 0 ? (int)context.Int(name) : null;
        if (context.HasInput("data"))
        {
            return DataSpaceOptions.From(context, PreparedDataset.Load(context.Input("data")), Opt("width"), Opt("depth"));
        }
        DataSpaceOptions.RefuseForImages(context, DataSpaceOptions.Names(context, DataSpaceOptions.OpsParam),
            DataSpaceOptions.Names(context, DataSpaceOptions.PoolingsParam), "without a `data` input the options describe images (channels, resolution)");
        return new SpaceOptions((int)context.Int("channels"), (int)context.Int("resolution"), (int)context.Int("classes"), Opt("width"), Opt("depth"));
    }

    public void Run(StageContext context)
    {
        var options = LatencyParams.Options(context);
        var spaceOptions = SpaceOptionsOf(context);
        string spaceName = context.RequiredString("space");
        ISearchSpace space;
        try
        {
            space = SpaceRegistry.Create(spaceName, spaceOptions);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, context.PipelineFile);
        }
        var model = SpaceLatency.Model(space, options.Batch);
        string cacheDir = context.ResolvePath(context.RequiredString("cache"));
        int rounds = (int)context.Int("rounds");
        string loadBefore = DeviceFingerprint.LoadAverageText();
        var profile = LatencyProfiler.Profile(model, options, cacheDir, context.Log, (int)(context.Seed & 0xffff), rounds, context.Cancellation, context.Bool("differential"));

        // The stage's own table: exactly the entries of this space's candidates (the cache may hold more).
        var table = new LatencyTable(profile.Table.Fingerprint);
        var candidates = model.Candidates();
        foreach (var c in candidates.Where(c => !c.EmitsNothing))
            table.Add(profile.Table.Entries.First(e => e.Key == c.Key.Id));

        // Calibration on a few whole models.
        int k = (int)context.Int("calibration_models");
        var uncalibrated = new LatencyPredictor(table, model, LatencyCalibration.Identity);
        var archs = LatencyValidation.SampleSpread(space, uncalibrated, k, (int)(context.Seed & 0x7fffffff));
        var measured = archs.Count > 0 ? SpaceLatency.MeasureWhole(archs, options, (int)(context.Seed & 0xffff), rounds) : [];
        var points = archs.Select((a, i) => (uncalibrated.TableSumMs(a), measured[i].Stats.Typical)).ToArray();
        var calibration = LatencyCalibration.Fit(points);
        var predictor = new LatencyPredictor(table, model, calibration);
        predictor.Save(context.OutputDir, spaceOptions);

        AtomicWrite.Text(context.OutputPath(CalibrationArchitecturesFile), JsonSerializer.Serialize(archs.Select(a => a.ToJson(indented: false)).ToArray(), PlainJson.Options) + "\n");
        Csv.Write(context.OutputPath("table.csv"), table.Entries.Select(e => new { e.Op, e.Input, e.Output, e.Args, e.Ms, e.RawMs, e.BaselineMs, e.P90Ms, e.MeanMs, e.StdMs, e.Runs, e.Key }));
        Csv.Write(context.OutputPath("calibration.csv"), archs.Select((a, i) => new
        {
            a.ArchId,
            TableSumMs = points[i].Item1,
            MeasuredMs = points[i].Item2,
            PredictedMs = calibration.Apply(points[i].Item1),
            Architecture = a.ToJson(indented: false),
        }));
        AtomicWrite.Text(context.OutputPath("profile.json"), JsonSerializer.Serialize(new
        {
            space = spaceName,
            space_options = spaceOptions,
            coverage = model.Coverage,
            table_keys = profile.Candidates,
            measured_now = profile.Measured,
            reused_from_cache = profile.Reused,
            without_nodes = profile.NoNodes,
            cache = profile.CachePath,
            fingerprint = table.Fingerprint,
            fingerprint_id = table.Fingerprint.Id,
            calibration,
            load_before = loadBefore,
            load_after = DeviceFingerprint.LoadAverageText(),
        }, LatencyTable.Json) + "\n");
        context.Log.Info($"{spaceName}: table of {table.Count} measured ops ({profile.Measured} measured now, {profile.Reused} from cache {profile.CachePath}); " +
                         $"calibration on {points.Length} models: scale {calibration.Scale:0.000}, overhead {calibration.OverheadMs:0.000} ms, fit MAPE {calibration.FitMape:0.0}%");
    }
}

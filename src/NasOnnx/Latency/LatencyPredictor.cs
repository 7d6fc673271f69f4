using System.Text.Json;
using NasOnnx.Pipeline;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Latency;

/// <summary>Predicts an architecture's whole-model latency (ms) on one device. What the search's latency objective uses.</summary>
public interface ILatencyPredictor
{
    double PredictMs(IArchitecture architecture);
}

/// <summary>
/// measured = Scale * table sum + OverheadMs, fitted by least squares on a few measured whole models. The squares
/// are of relative errors ((predicted - measured) / measured), the quantity the +-10% target is about, so small
/// models weigh as much as large ones.
/// </summary>
public sealed record LatencyCalibration(double Scale, double OverheadMs, int Models, double FitMape)
{
    public static LatencyCalibration Identity { get; } = new(1, 0, 0, double.NaN);

    /// <summary>Weighted least squares on (table sum, measured) pairs; fewer than 2 points or no spread in the sums fit the overhead alone.</summary>
    public static LatencyCalibration Fit(IReadOnlyList<(double TableSum, double Measured)> points)
    {
        if (points.Count == 0) return Identity;
        // minimize sum w (a x + b - y)^2 with w = 1 / y^2
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            double w = 1 / Math.Max(y * y, 1e-18);
            sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
        }
        double mx = sx / sw, my = sy / sw;
        double vxx = sxx / sw - mx * mx, vxy = sxy / sw - mx * my;
        double scale = points.Count >= 2 && vxx > 1e-12 * Math.Max(1, mx * mx) ? vxy / vxx : 1.0;
        double overhead = my - scale * mx;
        double mape = points.Average(p => Math.Abs(scale * p.TableSum + overhead - p.Measured) / p.Measured) * 100;
        return new LatencyCalibration(scale, overhead, points.Count, mape);
    }

    public double Apply(double tableSum) => Scale * tableSum + OverheadMs;
}

/// <summary>
/// Table sum plus calibration: <c>PredictMs(a) = Scale * sum(table[op] for op in a's network) + OverheadMs</c>.
/// <see cref="ChoiceLatencies"/> gives the same numbers split per decision and choice for one-shot search.
/// </summary>
public sealed class LatencyPredictor : ILatencyPredictor
{
    public const string FileName = "predictor.json";
    public const string TableFileName = "latency_table.json";

    public LatencyPredictor(LatencyTable table, ISpaceLatencyModel model, LatencyCalibration calibration)
    {
        Table = table;
        Model = model;
        Calibration = calibration;
    }

    public LatencyTable Table { get; }
    public ISpaceLatencyModel Model { get; }
    public LatencyCalibration Calibration { get; }

    public double TableSumMs(IArchitecture architecture) => Table.Sum(Model.Instances(architecture));

    public double PredictMs(IArchitecture architecture) => Calibration.Apply(TableSumMs(architecture));

    /// <summary>Calibrated [decision][choice] latencies of a decision space (same space the model was built for).</summary>
    public ChoiceLatencyTable ChoiceLatencies(IDecisionSpace space) => Table.ChoiceLatencies(space).Calibrated(Calibration);

    /// <summary>
    /// Calibrated latencies per DARTS supernet edge and op: rows are the 14 normal-cell edges, then the 14 reduction-cell
    /// edges, in (node, input) order; choices in <see cref="Spaces.Darts.DartsSpace.Ops"/> order ('none' 0 ms).
    /// The supernet's edges do not map onto the space's decisions (input pair, op_a, op_b), so one-shot search uses this split.
    /// </summary>
    public ChoiceLatencyTable DartsEdgeLatencies(Spaces.Darts.DartsSpace space) => Table.DartsEdgeLatencies(space).Calibrated(Calibration);

    // ---- persistence: predictor.json + latency_table.json in one folder (the profile-latency stage's output) ----

    private sealed record Stored(string Space, SpaceOptions SpaceOptions, int Batch, LatencyCalibration Calibration, string FingerprintId, string Coverage);

    public void Save(string dir, SpaceOptions options)
    {
        Table.Save(Path.Combine(dir, TableFileName));
        AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(
            new Stored(Model.Space, options, Table.Fingerprint.Batch, Calibration, Table.Fingerprint.Id, Model.Coverage), LatencyTable.Json) + "\n");
    }

    /// <summary>Loads the predictor a profile-latency stage wrote into <paramref name="dir"/>; also returns its space.</summary>
    public static LatencyPredictor Load(string dir, out ISearchSpace space) => Load(dir, out space, out _);

    /// <summary>Also returns the space options (channels, resolution, classes, width, depth) the table was profiled for.</summary>
    public static LatencyPredictor Load(string dir, out ISearchSpace space, out SpaceOptions options)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
            throw new NasOnnxException("predictor.json not found.", "Point at the output folder of a profile-latency stage.") { FilePath = path };
        Stored stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), LatencyTable.Json)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"predictor.json is not valid: {e.Message}", "Run the profile-latency stage again.") { FilePath = path };
        }
        var table = LatencyTable.Load(Path.Combine(dir, TableFileName));
        options = stored.SpaceOptions;
        space = SpaceRegistry.Create(stored.Space, stored.SpaceOptions);
        return new LatencyPredictor(table, SpaceLatencyModels.For(space, stored.Batch), stored.Calibration);
    }

    public static LatencyPredictor Load(string dir) => Load(dir, out _, out _);
}

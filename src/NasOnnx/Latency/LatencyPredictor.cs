using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Latency;

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

    /// <summary>Calibrated [decision][choice] latencies of the model's space (<see cref="ISpaceLatencyModel.Choices"/>).</summary>
    public ChoiceLatencyTable ChoiceLatencies() => ChoiceLatencies(Model.Choices());

    /// <summary>Calibrated latencies of any split of the space into weighted parts (e.g. per supernet edge instead of per decision).</summary>
    public ChoiceLatencyTable ChoiceLatencies(ChoiceInstances parts) => Table.Latencies(parts).Calibrated(Calibration);

    // ---- persistence: predictor.json + latency_table.json in one folder (the profile-latency stage's output) ----

    private sealed record Stored(string Space, SpaceOptions SpaceOptions, int Batch, LatencyCalibration Calibration, string FingerprintId, string Coverage);

    public void Save(string dir, SpaceOptions options)
    {
        Table.Save(Path.Combine(dir, TableFileName));
        AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(
            new Stored(Model.Space, options, Table.Fingerprint.Batch, Calibration, Table.Fingerprint.Id, Model.Coverage), LatencyTable.Json) + "\n");
    }

    /// <summary>
    /// Reads what a profile-latency stage wrote into <paramref name="dir"/>: the table and calibration, and the space,
    /// options and batch size they were profiled for. The space's latency model makes it a predictor (SpaceLatency.LoadPredictor).
    /// </summary>
    public static StoredPredictor LoadStored(string dir)
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
        return new StoredPredictor(table, stored.Space, stored.SpaceOptions, stored.Batch, stored.Calibration);
    }
}

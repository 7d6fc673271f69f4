namespace NasOnnx.Latency;

/// <summary>
/// One measured op: its key fields, the latency used for prediction (<see cref="Ms"/> = <see cref="RawMs"/> -
/// <see cref="BaselineMs"/>: the median of the measured model minus the median of its reference measured in the
/// same rounds: an empty model, i.e. the per-run cost of ONNX Runtime itself, or, for the differential method, the
/// one-op model when <see cref="RawMs"/> is the op applied twice), and how it was measured.
/// </summary>
public sealed record TableEntry(string Key, string Op, string Input, string Output, string Args, double Ms, double MeanMs, double StdMs, double P90Ms, int Runs, DateTime MeasuredAt, double? Load1,
    double? RawMs = null, double? BaselineMs = null);

namespace NasOnnx.Search.OneShot;

/// <summary>What `nasonnx bench search` measured.</summary>
public sealed record SearchBenchResult(string Mode, int C, int Layers, int Batch, int Resolution, int Threads, long Weights,
    double MsPerStep, double MsMin, double PeakRssMb, double RssBeforeMb)
{
    /// <summary>Process CPU time per step (all threads): less sensitive than wall time to other load on the machine.</summary>
    public double CpuMsPerStep { get; init; }
}

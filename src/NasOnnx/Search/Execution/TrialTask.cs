using NasOnnx.Architectures;

namespace NasOnnx.Search.Execution;

/// <summary>One evaluation handed to an executor: an architecture at a budget (rung), under its trial number; attempt 1 first, then retries.</summary>
public sealed record TrialTask(int Number, IArchitecture Architecture, int Rung, int Attempt = 1)
{
    /// <summary>The trial's folder name under the state folder's trials/ (also where stand-alone training keeps epochs.csv).</summary>
    public string Key => $"{Architecture.ArchId}-r{Rung}";
}

using System.Globalization;

namespace NasOnnx.Search.Execution;

/// <summary>
/// What a Slurm job asks for: sbatch's --partition, --cpus-per-task, --mem, --time, --gres and --account, plus extra
/// sbatch arguments as written (split on spaces). Null/empty fields are left to the cluster's defaults.
/// </summary>
public sealed record SlurmResources
{
    public string? Partition { get; init; }
    public int Cpus { get; init; } = 1;
    /// <summary>Memory per node as sbatch takes it: 4G, 500M.</summary>
    public string? Mem { get; init; }
    /// <summary>Time limit as sbatch takes it: minutes, MM:SS, HH:MM:SS, D-HH:MM.</summary>
    public string? Time { get; init; }
    /// <summary>Generic resources, e.g. gpu:1.</summary>
    public string? Gres { get; init; }
    public string? Account { get; init; }
    public string? ExtraArgs { get; init; }

    public IEnumerable<string> SbatchArgs()
    {
        yield return "--cpus-per-task=" + Math.Max(1, Cpus).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(Partition)) yield return "--partition=" + Partition.Trim();
        if (!string.IsNullOrWhiteSpace(Mem)) yield return "--mem=" + Mem.Trim();
        if (!string.IsNullOrWhiteSpace(Time)) yield return "--time=" + Time.Trim();
        if (!string.IsNullOrWhiteSpace(Gres)) yield return "--gres=" + Gres.Trim();
        if (!string.IsNullOrWhiteSpace(Account)) yield return "--account=" + Account.Trim();
        if (!string.IsNullOrWhiteSpace(ExtraArgs))
            foreach (var a in ExtraArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries)) yield return a;
    }

    public override string ToString() => string.Join(" ", SbatchArgs());
}

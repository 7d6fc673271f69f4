using NasOnnx.Core;
using NasOnnx.Search.MultiTrial;

namespace NasOnnx.Search.Execution;

/// <summary>
/// Where a multi-trial search's trials run: the `executor`, `max_concurrent`, `trial_threads`, `retries` and `slurm_*`
/// params of the search stage. Only max_concurrent and trial_threads change what a search computes (the window of
/// proposals, the float arithmetic); the rest say how it runs, so they are left out of the lock key and of the saved
/// search state's fingerprint: a search killed under `processes` resumes under `slurm`.
/// </summary>
public sealed record ExecutorSettings
{
    public const string Local = "local", Processes = "processes", SlurmName = "slurm";

    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("executor", Local, "multi-trial: where trials run: local (in this process), processes (`nasonnx trial` worker processes " +
            "on this machine) or slurm (one Slurm job per trial; the run folder must be on a file system the nodes share)", Local, Processes, SlurmName).AsExecutionOnly(),
        ParamSpec.Int("max_concurrent", 1, "multi-trial: trials in flight at once. Trials are observed in proposal order, so a search gives the same " +
            "result with every executor at the same max_concurrent (local runs them one after another)"),
        ParamSpec.Int("trial_threads", 0, "multi-trial: Torch threads of each trial (0: the pipeline's threads); part of the result, like threads"),
        ParamSpec.Int("retries", 2, "multi-trial: a worker or Slurm job that ends without a result (cancelled, timed out, out of memory, node lost) " +
            "is submitted again this many times, then recorded as a failed trial").AsExecutionOnly(),
        ParamSpec.Str("slurm_partition", "", "slurm executor: sbatch --partition (empty: the cluster's default)").AsExecutionOnly(),
        ParamSpec.Int("slurm_cpus", 0, "slurm executor: sbatch --cpus-per-task (0: trial_threads)").AsExecutionOnly(),
        ParamSpec.Str("slurm_mem", "", "slurm executor: sbatch --mem, e.g. 4G (empty: the cluster's default per CPU)").AsExecutionOnly(),
        ParamSpec.Str("slurm_time", "", "slurm executor: sbatch --time per trial, e.g. 00:30:00 (empty: the partition's limit)").AsExecutionOnly(),
        ParamSpec.Str("slurm_gres", "", "slurm executor: sbatch --gres, e.g. gpu:1").AsExecutionOnly(),
        ParamSpec.Str("slurm_account", "", "slurm executor: sbatch --account").AsExecutionOnly(),
        ParamSpec.Str("slurm_args", "", "slurm executor: more sbatch arguments, as written (e.g. \"--qos=high --constraint=avx512\")").AsExecutionOnly(),
    ];

    public required string Executor { get; init; }
    public required int MaxConcurrent { get; init; }
    /// <summary>Torch threads per trial; 0: the pipeline's.</summary>
    public required int TrialThreads { get; init; }
    public required int Retries { get; init; }
    public required SlurmResources Slurm { get; init; }

    public static ExecutorSettings FromParams(IParamReader stage)
    {
        int maxConcurrent = (int)stage.Int("max_concurrent"), retries = (int)stage.Int("retries"), threads = (int)stage.Int("trial_threads");
        if (maxConcurrent < 1) throw stage.Error($"max_concurrent is {maxConcurrent}", "set max_concurrent: 1 or more (trials in flight at once)", stage.PipelineFile);
        if (retries < 0) throw stage.Error($"retries is {retries}", "set retries: 0 or more", stage.PipelineFile);
        if (threads < 0) throw stage.Error($"trial_threads is {threads}", "set trial_threads: 1 or more, or 0 for the pipeline's threads", stage.PipelineFile);
        return new ExecutorSettings
        {
            Executor = stage.RequiredString("executor"),
            MaxConcurrent = maxConcurrent,
            TrialThreads = threads,
            Retries = retries,
            Slurm = new SlurmResources
            {
                Partition = stage.String("slurm_partition"),
                Cpus = (int)stage.Int("slurm_cpus"),
                Mem = stage.String("slurm_mem"),
                Time = stage.String("slurm_time"),
                Gres = stage.String("slurm_gres"),
                Account = stage.String("slurm_account"),
                ExtraArgs = stage.String("slurm_args"),
            },
        };
    }

    /// <summary>The executor for a search (null: local, in process through the runner's evaluator).</summary>
    public ITrialExecutor? Create(Search.SearchContext context, CachingEvaluator cache, int threads)
    {
        if (Executor == Local) return null;
        var spec = context.WorkerContext ?? throw new NasOnnxException($"executor '{Executor}' runs trials as `nasonnx trial` processes, which needs the search to run from a pipeline",
            "use executor: local here");
        return Executor switch
        {
            Processes => new ProcessExecutor(spec, context.StateDir, threads, cache, context.Log),
            SlurmName => new SlurmExecutor(spec, context.StateDir, threads, cache, context.Log, this.Slurm),
            _ => throw new NasOnnxException($"unknown executor '{Executor}'", "use executor: local, processes or slurm"),
        };
    }
}

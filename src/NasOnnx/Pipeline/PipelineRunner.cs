using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Artifacts;
using NasOnnx.Reporting;
using NasOnnx.Runtime;
using NasOnnx.Core;

namespace NasOnnx.Pipeline;

/// <summary>
/// Runs a pipeline's stages in order into runs/&lt;pipeline&gt;/&lt;stage&gt;/ and keeps pipeline.lock.
/// A stage whose key (kind, code version, seed, threads, params, external files, upstream outputs) and
/// outputs still match the lock is skipped. Once a stage runs, every later stage runs too. Outputs are
/// staged in a private folder and published atomically; the lock is updated only after that.
/// </summary>
public sealed class PipelineRunner(StageRegistry registry, IRunLog log)
{
    public const string LockFileName = LockFile.FileName;

    /// <summary>Changes whenever the library's code changes (deterministic builds keep it stable otherwise).</summary>
    public static string CodeVersion => Core.CodeVersion.Current;

    public RunResult Run(PipelineDefinition pipeline, RunOptions options)
    {
        string projectRoot = ProjectRootOf(pipeline.SourcePath);
        string runDir = Path.GetFullPath(Path.Combine(options.RunsDir ?? Path.Combine(projectRoot, "runs"), pipeline.Name));
        var resolved = ResolveParams(pipeline, options.Sets);
        foreach (var f in options.Force) pipeline.Stage(f);
        int fromIndex = options.From is null ? int.MaxValue : pipeline.Stages.ToList().IndexOf(pipeline.Stage(options.From));
        long threads = ResolveThreads(pipeline, options.Sets);

        try
        {
            Directory.CreateDirectory(runDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasOnnxException($"cannot create the run folder {runDir}: {e.Message}", "pass a writable folder with --runs-dir") { FilePath = runDir };
        }
        using var runLock = RunFolderLock.Acquire(runDir);
        RemoveStaleStaging(runDir);

        // Checks that need only params (e.g. an unreachable latency target) run before any stage does.
        foreach (var def in pipeline.Stages)
            registry.Get(def.Kind).Validate(MakeContext(pipeline, def, resolved[def.Name], runDir, projectRoot, staging: null, options, []));

        TorchRuntime.Initialize((int)threads);
        string lockPath = Path.Combine(runDir, LockFileName);
        var lockFile = LockFile.Load(lockPath, pipeline.Name);
        var results = new List<StageResult>();
        // Stages that ran in this invocation. A stage re-runs after one of them when it takes an input from one (directly;
        // its inputs' own inputs re-ran it already) or when its kind takes no inputs, as report and compare, which read every
        // earlier stage. Stages on other branches (a baseline beside a search) are left alone.
        var reran = new HashSet<string>(StringComparer.Ordinal);

        for (int index = 0; index < pipeline.Stages.Count; index++)
        {
            options.Cancellation.ThrowIfCancellationRequested();
            var def = pipeline.Stages[index];
            var stage = registry.Get(def.Kind);
            string outDir = Path.Combine(runDir, def.Name);

            if (index < fromIndex && options.From is not null)
            {
                if (!lockFile.Stages.ContainsKey(def.Name) || !Directory.Exists(outDir))
                    throw new NasOnnxException($"--from {options.From}: earlier stage '{def.Name}' has no complete outputs",
                        $"run the pipeline without --from first, or use --from {def.Name}") { Stage = def.Name, FilePath = pipeline.SourcePath };
                results.Add(new StageResult(def.Name, StageOutcome.NotChecked, "before --from", 0, outDir));
                log.Info($"- {def.Name}: taken as is (before --from {options.From})");
                continue;
            }

            string staging = Path.Combine(runDir, $".{def.Name}.staging-{Environment.ProcessId}");
            var ctx = MakeContext(pipeline, def, resolved[def.Name], runDir, projectRoot, staging, options, results.ToList());
            var entry = new StageLock
            {
                Kind = def.Kind,
                Code = $"{def.Kind}/v{stage.Version}/{CodeVersion}",
                Seed = ctx.Seed,
                // params that say only how the stage runs (executor, Slurm resources) are not part of what it computes
                Params = new SortedDictionary<string, JsonElement>(
                    resolved[def.Name].Where(p => !IsExecutionOnly(stage, p.Key)).ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)), StringComparer.Ordinal),
                Sets = options.Sets.Where(set => AppliesTo(set, def, stage)).ToList(),
            };
            // Torch's thread count is pipeline-wide; a stage with its own `threads` param (ONNX Runtime's, e.g. benchmark)
            // keeps its resolved value, so changing it re-runs that stage.
            entry.Params.TryAdd("threads", JsonSerializer.SerializeToElement(threads));
            foreach (var dep in stage.ExternalDependencies(ctx).Distinct())
            {
                if (!File.Exists(dep))
                    throw new NasOnnxException($"a file this stage reads is missing: {dep}", "check the paths in the pipeline file") { Stage = def.Name, FilePath = dep };
                entry.Dependencies[dep] = ContentHash.OfFile(dep);
            }
            foreach (var (name, source) in def.Inputs)
                entry.Inputs[name] = lockFile.Stages.TryGetValue(source, out var up) ? up.OutputsHash : "missing";
            entry.Key = ContentHash.OfString(JsonSerializer.Serialize(new { entry.Kind, entry.Code, entry.Seed, entry.Params, entry.Dependencies, entry.Inputs }));

            bool cascade = stage.Inputs.Count == 0 ? reran.Count > 0 : def.Inputs.Values.Any(reran.Contains);
            string? reason = cascade ? "an earlier stage re-ran"
                : options.Force.Contains(def.Name) ? "--force"
                : index >= fromIndex ? $"--from {options.From}"
                : WhyStale(lockFile, def.Name, entry, outDir);
            if (reason is null)
            {
                log.Info($"- {def.Name}: up to date, skipped");
                results.Add(new StageResult(def.Name, StageOutcome.Skipped, "up to date", 0, outDir));
                continue;
            }

            log.Info($"> {def.Name} ({def.Kind}): running because {reason}");
            var watch = Stopwatch.StartNew();
            try
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
                Directory.CreateDirectory(staging);
                Directory.CreateDirectory(ctx.WorkDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NasOnnxException($"cannot create the stage's folders in the run folder {runDir}: {e.Message}",
                    "check free disk space and that the run folder is writable, or pass another --runs-dir") { Stage = def.Name, FilePath = staging };
            }
            TestFaults.CurrentStage = def.Name;
            TestFaults.Reached("start");
            try
            {
                if (def.Resources is { } resources) StageJob.Run(ctx, resources, (int)threads, log);
                else stage.Run(ctx);
            }
            catch (Exception e)
            {
                TryDeleteFolder(staging);
                throw AsStageError(e, def, runDir);
            }
            TestFaults.Reached("publish");
            entry.Outputs = ContentHash.OfFolderFiles(staging);
            entry.OutputsHash = ContentHash.Combine(entry.Outputs);
            // The new lock is written in full before the outputs are published: when the disk is full, that write
            // fails and the previous outputs and lock stay as they were. The rename that follows needs no space.
            string? pendingLock = null;
            try
            {
                entry.Completed = DateTimeOffset.UtcNow;
                entry.Numerics = NumericsSelfCheck.Status?.ToString();
                entry.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
                var previous = lockFile.Stages.GetValueOrDefault(def.Name);
                lockFile.Stages[def.Name] = entry;
                lockFile.PipelineFile = Path.GetRelativePath(projectRoot, Path.GetFullPath(pipeline.SourcePath)).Replace('\\', '/');
                try
                {
                    pendingLock = lockFile.Prepare(lockPath);
                }
                catch
                {
                    if (previous is null) lockFile.Stages.Remove(def.Name);
                    else lockFile.Stages[def.Name] = previous;
                    throw;
                }
                AtomicWrite.PublishFolder(staging, outDir);
                TestFaults.Reached("published");
                AtomicWrite.Commit(pendingLock, lockPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NasOnnxException)
            {
                if (pendingLock is not null) AtomicWrite.TryDelete(pendingLock);
                TryDeleteFolder(staging);
                throw new NasOnnxException($"could not publish the outputs of stage '{def.Name}': {e.Message}",
                    "check free disk space and that the run folder is writable; the previous outputs were left as they were") { Stage = def.Name, FilePath = outDir };
            }
            TryDeleteFolder(ctx.WorkDir);
            TestFaults.CurrentStage = null;
            reran.Add(def.Name);
            log.Info($"< {def.Name}: done in {watch.Elapsed.TotalSeconds:0.0}s -> {outDir}");
            results.Add(new StageResult(def.Name, StageOutcome.Ran, reason, watch.Elapsed.TotalSeconds, outDir));
        }
        return new RunResult(runDir, lockPath, results);
    }

    private static string? WhyStale(LockFile lockFile, string name, StageLock now, string outDir)
    {
        if (!lockFile.Stages.TryGetValue(name, out var old)) return "it has not run before";
        if (old.Code != now.Code) return "the code changed";
        if (!JsonEquals(old.Params, now.Params)) return "its params changed";
        if (old.Seed != now.Seed) return "its seed changed";
        if (!old.Inputs.SequenceEqual(now.Inputs)) return "an input changed";
        if (!old.Dependencies.SequenceEqual(now.Dependencies)) return "a file it reads changed";
        if (old.Key != now.Key) return "its key changed";
        if (!Directory.Exists(outDir)) return "its outputs are missing";
        if (ContentHash.Combine(ContentHash.OfFolderFiles(outDir)) != old.OutputsHash) return "its outputs were modified";
        return null;
    }

    /// <summary>Compares values, not their text: a list param read back from the indented lock spans lines, a fresh one does not.</summary>
    private static bool JsonEquals(SortedDictionary<string, JsonElement> a, SortedDictionary<string, JsonElement> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && JsonSerializer.Serialize(v) == JsonSerializer.Serialize(p.Value));

    private StageContext MakeContext(PipelineDefinition pipeline, StageDefinition def, IReadOnlyDictionary<string, object?> parameters,
        string runDir, string projectRoot, string? staging, RunOptions options, IReadOnlyList<StageResult> earlier) => new()
    {
        PipelineName = pipeline.Name,
        PipelineFile = pipeline.SourcePath,
        StageName = def.Name,
        Kind = def.Kind,
        OutputDir = staging ?? Path.Combine(runDir, def.Name),
        WorkDir = Path.Combine(runDir, ".work", def.Name),
        ProjectRoot = projectRoot,
        RunDir = runDir,
        Inputs = def.Inputs.ToDictionary(i => i.Key, i => Path.Combine(runDir, i.Value)),
        Params = parameters,
        Seed = StageSeed(pipeline, def, options.Sets),
        Log = log,
        Cancellation = options.Cancellation,
        EarlierResults = earlier,
        RunSets = options.Sets,
    };

    /// <summary>Whether a `--set` changes this stage: "stage.param=..." names it, "param=..." reaches every stage with the param (threads and seed: all).</summary>
    private static bool AppliesTo(string set, StageDefinition def, IStage stage)
    {
        var (stageName, param, _) = ParseSet(set);
        return (stageName is null || stageName == def.Name) && (IsRunnerParam(param) || stage.Params.Any(p => p.Name == param));
    }

    private static bool IsExecutionOnly(IStage stage, string param) => stage.Params.Any(p => p.Name == param && p.ExecutionOnly);

    /// <summary>Params the runner itself takes for every stage, whatever its kind: the Torch thread count and the seed.</summary>
    private static bool IsRunnerParam(string param) => param is "threads" or "seed";

    /// <summary>
    /// The stage's seed: `--set STAGE.seed=N` gives it N; otherwise it is derived from the pipeline seed (the file's
    /// `seed`, or `--set seed=N`) and the stage name, so repeating one stage (e.g. a retrain) with other seeds leaves
    /// every other stage's key alone.
    /// </summary>
    private static long StageSeed(PipelineDefinition pipeline, StageDefinition def, IReadOnlyList<string> sets)
    {
        long pipelineSeed = pipeline.Seed;
        long? stageSeed = null;
        foreach (var (stageName, param, raw) in sets.Select(ParseSet).Where(o => o.Param == "seed" && (o.Stage is null || o.Stage == def.Name)))
        {
            if (!long.TryParse(raw, out var value))
                throw new NasOnnxException($"--set {(stageName is null ? "" : stageName + ".")}seed={raw}: not an integer", "write e.g. --set seed=7")
                    { FilePath = pipeline.SourcePath };
            if (stageName is null) pipelineSeed = value; else stageSeed = value;
        }
        return stageSeed ?? DeriveSeed(pipelineSeed, def.Name);
    }

    /// <summary>A per-stage seed from the pipeline seed and the stage name (FNV-1a), stable across runs and platforms.</summary>
    public static long DeriveSeed(long pipelineSeed, string stageName)
    {
        ulong h = 14695981039346656037UL ^ (ulong)pipelineSeed;
        foreach (char c in stageName) { h ^= c; h *= 1099511628211UL; }
        return (long)(h & 0x7fffffff);
    }

    /// <summary>Final value of every param of every stage: spec default, then pipeline defaults, stage params, --set.</summary>
    private Dictionary<string, IReadOnlyDictionary<string, object?>> ResolveParams(PipelineDefinition pipeline, IReadOnlyList<string> sets)
    {
        var overrides = sets.Select(ParseSet).ToList();
        foreach (var (stageName, param, _) in overrides)
        {
            var targets = stageName is null ? pipeline.Stages : [pipeline.Stage(stageName)];
            if (!IsRunnerParam(param) && !targets.Any(t => registry.Get(t.Kind).Params.Any(p => p.Name == param)))
                throw new NasOnnxException($"--set {(stageName is null ? "" : stageName + ".")}{param}: no stage {(stageName is null ? "in this pipeline " : "")}has a param '{param}'",
                    "check the spelling; `nasonnx stages` lists every stage kind's params") { FilePath = pipeline.SourcePath };
        }
        var result = new Dictionary<string, IReadOnlyDictionary<string, object?>>();
        foreach (var def in pipeline.Stages)
        {
            var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var spec in registry.Get(def.Kind).Params)
            {
                object? value = spec.Default;
                if (pipeline.Defaults.TryGetValue(spec.Name, out var d)) value = spec.Convert(d.Value, out _);
                if (def.Params.TryGetValue(spec.Name, out var p)) value = spec.Convert(p.Value, out _);
                foreach (var (stageName, param, raw) in overrides.Where(o => o.Param == spec.Name && (o.Stage is null || o.Stage == def.Name)))
                {
                    value = spec.Convert(raw, out var problem);
                    if (problem is not null)
                        throw new NasOnnxException($"--set {stageName ?? ""}{(stageName is null ? "" : ".")}{param}: {problem}",
                            $"'{spec.Name}' takes a {spec.TypeName}") { Stage = def.Name, FilePath = pipeline.SourcePath };
                }
                values[spec.Name] = value;
            }
            result[def.Name] = values;
        }
        return result;
    }

    private static long ResolveThreads(PipelineDefinition pipeline, IReadOnlyList<string> sets)
    {
        long threads = TorchRuntime.DefaultThreads();
        if (pipeline.Defaults.TryGetValue("threads", out var raw))
            threads = ParamSpec.Int("threads", null, "").Convert(raw.Value, out var problem) as long?
                ?? throw new NasOnnxException($"defaults.threads: {problem}", "write e.g. `threads: 2`") { FilePath = pipeline.SourcePath };
        foreach (var set in sets.Select(ParseSet).Where(s => s.Param == "threads" && s.Stage is null))
            threads = long.TryParse(set.Value, out var t) && t > 0 ? t : throw new NasOnnxException($"--set threads={set.Value}: not a positive integer");
        return Math.Max(1, threads);
    }

    private static (string? Stage, string Param, string Value) ParseSet(string set)
    {
        int eq = set.IndexOf('=');
        if (eq <= 0) throw new NasOnnxException($"--set '{set}' is not key=value", "write e.g. --set train.epochs=3 or --set seed=7");
        string key = set[..eq].Trim(), value = set[(eq + 1)..].Trim();
        int dot = key.IndexOf('.');
        return dot < 0 ? (null, key, value) : (key[..dot], key[(dot + 1)..], value);
    }

    /// <summary>The folder that relative paths resolve against (see <see cref="ProjectRoot.Of"/>).</summary>
    public static string ProjectRootOf(string pipelineFile) => ProjectRoot.Of(pipelineFile);

    private static void RemoveStaleStaging(string runDir)
    {
        // We hold the run lock, so staging folders or moved-aside folders left here belong to killed runs.
        foreach (var dir in Directory.EnumerateDirectories(runDir, ".*.staging-*").Concat(Directory.EnumerateDirectories(runDir, ".*.old-*")))
            TryDeleteFolder(dir);
        foreach (var file in Directory.EnumerateFiles(runDir, ".*.tmp")) AtomicWrite.TryDelete(file);
    }

    private static void TryDeleteFolder(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static Exception AsStageError(Exception e, StageDefinition def, string runDir)
    {
        if (e is OperationCanceledException) return e;
        if (e is NasOnnxException n)
            return new NasOnnxException(n.Message, n.Fix, n) { Stage = n.Stage ?? def.Name, FilePath = n.FilePath };
        if (e is IOException or UnauthorizedAccessException && e is not FileNotFoundException and not DirectoryNotFoundException || AtomicWrite.IsFileTooLarge(e))
            return new NasOnnxException($"could not write the stage's outputs: {e.Message}",
                "check free disk space and that the run folder is writable; the previous outputs were left as they were", e) { Stage = def.Name, FilePath = runDir };
        string logPath = Path.Combine(runDir, $"{def.Name}.error.log");
        try { File.WriteAllText(logPath, e.ToString()); } catch (IOException) { }
        return new NasOnnxException($"stage failed with {e.GetType().Name}: {e.Message}",
            $"this looks like a bug in NasOnnx; the details are in {logPath}", e) { Stage = def.Name };
    }
}

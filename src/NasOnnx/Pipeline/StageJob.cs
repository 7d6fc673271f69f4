using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Runtime;

namespace NasOnnx.Pipeline;

/// <summary>
/// A stage with a `resources:` block runs its work as a Slurm job (`nasonnx stage-job`), e.g. a retrain on a GPU node.
/// The runner keeps everything else: the run lock, the staging folder the job writes into, hashing, the lock file and the
/// atomic publish. The job writes done.json (ok, or the error a user can act on) into the stage's work folder; its output
/// is followed into the runner's log. A runner killed while the job runs cancels that job when it starts again and submits
/// a new one, which resumes from the stage's checkpoints in the work folder (a retrain loses at most the current epoch).
/// </summary>
public static class StageJob
{
    public const string SpecFile = "stage-job.json", DoneFile = "done.json", JobIdFile = "job.id", Script = "stage-job.sh";

    public sealed record Spec(StageContextSpec Stage, int Threads, string Done);

    public sealed record Done(string Status, string? Message = null, string? Fix = null, string? File = null, double Seconds = 0);

    /// <summary>Runner side: submits the job, follows it, and returns when the stage's outputs are complete in its staging folder.</summary>
    public static void Run(StageContext context, SlurmResources resources, int threads, IRunLog log)
    {
        string dir = Path.Combine(context.WorkDir, "slurm");
        Directory.CreateDirectory(dir);
        string idFile = Path.Combine(dir, JobIdFile), donePath = Path.Combine(dir, DoneFile);
        CancelLeftover(idFile, log);
        AtomicWrite.TryDelete(donePath);
        string specPath = Path.Combine(dir, SpecFile);
        AtomicWrite.Text(specPath, JsonSerializer.Serialize(new Spec(StageContextSpec.Of(context), threads, donePath), SnakeJson.Options));
        string script = Path.Combine(dir, Script);
        AtomicWrite.Text(script, "#!/bin/bash\n# written by nasonnx: one pipeline stage's work\n" +
            $"export NASONNX_THREADS={threads}\nexec {WorkerCommand.Shell([.. WorkerCommand.Resolve(), "stage-job", specPath])}\n");
        string jobName = $"nasonnx-{context.PipelineName}-{context.StageName}";
        string id;
        try
        {
            id = SlurmClient.Submit(script, jobName, Path.Combine(dir, "slurm-%j.out"), dir, resources with { Cpus = Math.Max(resources.Cpus, threads) },
                $"stage '{context.StageName}''s resources: block");
        }
        catch (NasOnnxException e)
        {
            throw new NasOnnxException(e.Message, e.Fix) { Stage = context.StageName, FilePath = context.PipelineFile };
        }
        AtomicWrite.Text(idFile, id);
        log.Info($"stage '{context.StageName}' runs as Slurm job {id} ({resources}); following {Path.Combine(dir, $"slurm-{id}.out")}");
        Follow(context, id, dir, donePath, log);
        AtomicWrite.TryDelete(idFile);
    }

    private static void Follow(StageContext context, string id, string dir, string donePath, IRunLog log)
    {
        string output = Path.Combine(dir, $"slurm-{id}.out");
        long shown = 0;
        var registration = context.Cancellation.Register(() =>
        {
            SlurmClient.Cancel([id]);
            log.Warn($"interrupted: cancelled Slurm job {id} (stage '{context.StageName}'); run again to resume it");
        });
        using (registration)
        {
            while (true)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                shown = ShowNewLines(output, shown, id, log);
                var state = SlurmClient.Query(id);
                if (state is { } alive && SlurmClient.IsAlive(alive.State))
                {
                    context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    continue;
                }
                ShowNewLines(output, shown, id, log);
                var done = ReadDone(donePath);
                if (done?.Status == "ok") return;
                if (done is { Message: { } message })
                    throw new NasOnnxException($"{message} (in Slurm job {id})", done.Fix) { Stage = context.StageName, FilePath = done.File };
                string how = state is { } s ? SlurmClient.Describe(s.State, s.Reason, s.ExitCode) : "and Slurm no longer knows it";
                throw new NasOnnxException($"stage '{context.StageName}' ran as Slurm job {id}, which ended {how} before the stage finished",
                    $"see {output}; when it ran out of time or memory, raise `time:` or `mem:` in the stage's resources: block and run again (it resumes from its checkpoints)")
                    { Stage = context.StageName, FilePath = output };
            }
        }
    }

    private static long ShowNewLines(string output, long shown, string id, IRunLog log)
    {
        try
        {
            if (!File.Exists(output)) return shown;
            using var stream = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= shown) return shown;
            stream.Seek(shown, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            string text = reader.ReadToEnd();
            int end = text.LastIndexOf('\n');
            if (end < 0) return shown;
            foreach (var line in text[..end].Split('\n'))
                if (line.Trim().Length > 0) log.Info($"  [job {id}] {line.TrimEnd()}");
            return shown + System.Text.Encoding.UTF8.GetByteCount(text[..(end + 1)]);
        }
        catch (IOException)
        {
            return shown;
        }
    }

    private static Done? ReadDone(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Done>(File.ReadAllText(path), SnakeJson.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A job submitted by a runner that was killed: it writes into a staging folder that is gone. Cancel it and wait until it has left.</summary>
    private static void CancelLeftover(string idFile, IRunLog log)
    {
        if (!File.Exists(idFile)) return;
        string id = File.ReadAllText(idFile).Trim();
        if (SlurmClient.Query(id) is { } s && SlurmClient.IsAlive(s.State))
        {
            log.Info($"cancelling Slurm job {id}, left running by a runner that was stopped; a new job resumes the stage from its checkpoints");
            SlurmClient.Cancel([id]);
            var until = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < until && SlurmClient.Query(id) is { } q && SlurmClient.IsAlive(q.State)) Thread.Sleep(500);
        }
        AtomicWrite.TryDelete(idFile);
    }

    /// <summary>Job side (`nasonnx stage-job SPEC`): runs the stage into the runner's staging folder and writes done.json.</summary>
    public static void RunInJob(string specPath, StageRegistry registry, IRunLog log, CancellationToken cancellation)
    {
        Spec spec;
        try
        {
            spec = JsonSerializer.Deserialize<Spec>(File.ReadAllText(specPath), SnakeJson.Options) ?? throw new JsonException("empty document");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new NasOnnxException($"cannot read the stage job spec {specPath}: {e.Message}", "stage job specs are written by `nasonnx run`; run the pipeline again") { FilePath = specPath };
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            TorchRuntime.Initialize(spec.Threads);
            var context = spec.Stage.ToContext(registry, log, cancellation);
            log.Info($"stage '{context.StageName}' ({context.Kind}) on {Environment.MachineName}, {spec.Threads} thread{(spec.Threads == 1 ? "" : "s")}");
            TestFaults.CurrentStage = context.StageName;
            registry.Get(context.Kind).Run(context);
        }
        catch (NasOnnxException e)
        {
            AtomicWrite.Text(spec.Done, JsonSerializer.Serialize(new Done("error", e.Message, e.Fix, e.FilePath), SnakeJson.Options));
            throw;
        }
        AtomicWrite.Text(spec.Done, JsonSerializer.Serialize(new Done("ok", Seconds: Math.Round(watch.Elapsed.TotalSeconds, 2)), SnakeJson.Options));
    }
}

using NasOnnx.Artifacts;
using NasOnnx.Latency;

namespace NasOnnx.Reporting.Cards;

/// <summary>
/// A completed run folder (runs/&lt;pipeline&gt;/) read through its lock. Stages are linked the way the lock links
/// them: a stage's input records the outputs hash of the stage it read, so "the evaluate stage that measured this
/// export" is the evaluate stage whose `model` input equals the export stage's outputs hash.
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string dir, LockFile lockFile)
    {
        Dir = dir;
        Lock = lockFile;
    }

    public string Dir { get; }
    public LockFile Lock { get; }
    public string LockPath => Path.Combine(Dir, LockFile.FileName);

    /// <summary>Completed stages, oldest first.</summary>
    public IReadOnlyList<string> Stages => Lock.Stages.OrderBy(s => s.Value.Completed).Select(s => s.Key).ToList();

    public static RunFolder Open(string dir)
    {
        string full = Path.GetFullPath(dir);
        string lockPath = Path.Combine(full, LockFile.FileName);
        if (!File.Exists(lockPath))
            throw new NasOnnxException($"{full} is not a run folder: it has no {LockFile.FileName}",
                "pass runs/<pipeline>/ of a completed `nasonnx run`") { FilePath = lockPath };
        return new RunFolder(full, LockFile.Load(lockPath, Path.GetFileName(full)));
    }

    /// <summary>A run folder whose lock is already in memory (the report stage, while the run is going on).</summary>
    public static RunFolder FromLock(string dir, LockFile lockFile) => new(Path.GetFullPath(dir), lockFile);

    public StageLock Entry(string stage) => Lock.Stages.TryGetValue(stage, out var e) ? e
        : throw new NasOnnxException($"the run has no completed stage '{stage}'", $"use one of: {string.Join(", ", Stages)}") { FilePath = LockPath };

    public string PathOf(string stage, string file) => Path.Combine(Dir, stage, file);

    public bool Has(string stage, string file) => Lock.Stages.ContainsKey(stage) && File.Exists(PathOf(stage, file));

    /// <summary>Stages (oldest first) whose published folder holds <paramref name="file"/>.</summary>
    public IEnumerable<string> StagesWith(string file) => Stages.Where(s => Has(s, file));

    public IEnumerable<string> StagesOfKind(string kind) => Stages.Where(s => Lock.Stages[s].Kind == kind);

    /// <summary>The export stage: the named one, or the last completed stage that wrote model.onnx.</summary>
    public string? ExportStage(string? name = null)
    {
        if (name is null) return StagesWith(ExportFiles.Model).LastOrDefault();
        if (!Has(name, ExportFiles.Model))
            throw new NasOnnxException($"stage '{name}' of the run has no {ExportFiles.Model}",
                $"name an export stage; stages with a model.onnx: {string.Join(", ", StagesWith(ExportFiles.Model).DefaultIfEmpty("none"))}") { FilePath = LockPath };
        return name;
    }

    /// <summary>Stages of <paramref name="kind"/> whose input <paramref name="input"/> read <paramref name="producer"/>'s outputs.</summary>
    public IEnumerable<string> Consumers(string producer, string input, string kind)
    {
        string hash = Entry(producer).OutputsHash;
        return StagesOfKind(kind).Where(s => Lock.Stages[s].Inputs.TryGetValue(input, out var h) && h == hash);
    }

    /// <summary>The evaluate stage that ran the export's ONNX file with ONNX Runtime on the test split, if any.</summary>
    public string? OnnxTestEvaluationOf(string export) =>
        Consumers(export, "model", "evaluate").LastOrDefault(s => Param(s, "split") is "test" or null && Has(s, MetricsFile.FileName));

    /// <summary>The benchmark stage that measured the export's model.onnx, if any.</summary>
    public string? BenchmarkOf(string export) => Consumers(export, "model", "benchmark").LastOrDefault(s => Has(s, BenchmarkResult.FileName));

    /// <summary>A resolved param of a stage as text (null when absent or JSON null).</summary>
    public string? Param(string stage, string name) =>
        Entry(stage).Params.TryGetValue(name, out var v) && v.ValueKind != System.Text.Json.JsonValueKind.Null
            ? v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;

    /// <summary>accuracy and images from an evaluate stage's metrics.csv.</summary>
    public (double Accuracy, long Images) Metrics(string evaluateStage)
    {
        var metrics = MetricsFile.Read(Path.Combine(Dir, evaluateStage));
        return (metrics.Accuracy, metrics.Images);
    }

    /// <summary>Per-class rows of an evaluate stage's per_class.csv.</summary>
    public IReadOnlyList<ClassAccuracy> PerClass(string evaluateStage) => PerClassFile.Read(Path.Combine(Dir, evaluateStage));
}

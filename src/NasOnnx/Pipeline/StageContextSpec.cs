using System.Text.Json;
using NasOnnx.Artifacts;
using NasOnnx.Core;
using NasOnnx.Search.Execution;

namespace NasOnnx.Pipeline;

/// <summary>
/// A <see cref="StageContext"/> written down, so another process (a worker on this machine or a Slurm job on another
/// node) can rebuild exactly the context the pipeline runner made: resolved params, input folders, seed, folders.
/// Params are stored as JSON and read back with the stage kind's param types (an integer-valued float stays a float).
/// Paths are absolute: the run folder must be on a file system every node sees.
/// </summary>
public sealed record StageContextSpec
{
    public required string PipelineName { get; init; }
    public required string PipelineFile { get; init; }
    public required string StageName { get; init; }
    public required string Kind { get; init; }
    public required string OutputDir { get; init; }
    public required string WorkDir { get; init; }
    public required string RunDir { get; init; }
    public required string ProjectRoot { get; init; }
    public required Dictionary<string, string> Inputs { get; init; }
    public required Dictionary<string, JsonElement> Params { get; init; }
    public required long Seed { get; init; }
    public List<string> RunSets { get; init; } = [];
    public List<StageResult> EarlierResults { get; init; } = [];

    public static StageContextSpec Of(StageContext c) => new()
    {
        PipelineName = c.PipelineName,
        PipelineFile = Path.GetFullPath(c.PipelineFile),
        StageName = c.StageName,
        Kind = c.Kind,
        OutputDir = Path.GetFullPath(c.OutputDir),
        WorkDir = Path.GetFullPath(c.WorkDir),
        RunDir = Path.GetFullPath(c.RunDir),
        ProjectRoot = Path.GetFullPath(c.ProjectRoot),
        Inputs = c.Inputs.ToDictionary(i => i.Key, i => Path.GetFullPath(i.Value)),
        Params = c.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
        Seed = c.Seed,
        RunSets = [.. c.RunSets],
        EarlierResults = [.. c.EarlierResults],
    };

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, SnakeJson.Options);

    public static StageContextSpec FromJson(JsonElement json) =>
        json.Deserialize<StageContextSpec>(SnakeJson.Options) ?? throw new NasOnnxException("the worker's stage context is empty", "run the search again");

    /// <summary>The context again, with this process's log and cancellation; params typed by the stage kind's specs.</summary>
    public StageContext ToContext(StageRegistry registry, IRunLog log, CancellationToken cancellation)
    {
        var stage = registry.Find(Kind) ?? throw new NasOnnxException($"the job names stage kind '{Kind}', which this nasonnx does not have",
            "run the job with the same nasonnx build as the pipeline runner");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, json) in Params)
        {
            var spec = stage.Params.FirstOrDefault(p => p.Name == name)
                ?? throw new NasOnnxException($"the job gives stage kind '{Kind}' a param '{name}' it does not have", "run the job with the same nasonnx build as the pipeline runner");
            values[name] = json.ValueKind == JsonValueKind.Null ? null : spec.Type switch
            {
                ParamType.Int => json.GetInt64(),
                ParamType.Float => json.GetDouble(),
                ParamType.Bool => json.GetBoolean(),
                ParamType.IntList => json.EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                _ => json.GetString(),
            };
        }
        return new StageContext
        {
            PipelineName = PipelineName,
            PipelineFile = PipelineFile,
            StageName = StageName,
            Kind = Kind,
            OutputDir = OutputDir,
            WorkDir = WorkDir,
            RunDir = RunDir,
            ProjectRoot = ProjectRoot,
            Inputs = Inputs,
            Params = values,
            Seed = Seed,
            Log = log,
            Cancellation = cancellation,
            RunSets = RunSets,
            EarlierResults = EarlierResults,
        };
    }
}

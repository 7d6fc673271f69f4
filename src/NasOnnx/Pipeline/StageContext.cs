using NasOnnx.Reporting;
using NasOnnx.Core;
using NasOnnx.Artifacts;

namespace NasOnnx.Pipeline;

/// <summary>Everything a running stage may use: its resolved params, inputs, folders, seed and log.</summary>
public sealed class StageContext : IParamReader
{
    public required string PipelineName { get; init; }
    public required string PipelineFile { get; init; }
    public required string StageName { get; init; }
    public required string Kind { get; init; }

    /// <summary>The folder the stage writes every output into (a private temp folder the runner publishes atomically).</summary>
    public required string OutputDir { get; init; }

    /// <summary>A folder that survives a killed run (checkpoints live here); cleared once the stage completes.</summary>
    public required string WorkDir { get; init; }

    /// <summary>runs/&lt;pipeline&gt;/: the published folders of earlier stages and pipeline.lock.</summary>
    public string RunDir { get; init; } = "";

    /// <summary>The root that relative paths in params (e.g. data/...) are resolved against.</summary>
    public required string ProjectRoot { get; init; }

    /// <summary>Input name -> the published output folder of the earlier stage it refers to.</summary>
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    public required IReadOnlyDictionary<string, object?> Params { get; init; }
    public required long Seed { get; init; }
    public required IRunLog Log { get; init; }

    /// <summary>What this run did with the stages before this one (ran, skipped and why, seconds); the report shows it.</summary>
    public IReadOnlyList<StageResult> EarlierResults { get; init; } = [];

    /// <summary>This run's `--set` overrides, all of them (also those for other stages).</summary>
    public IReadOnlyList<string> RunSets { get; init; } = [];
    public CancellationToken Cancellation { get; init; }

    public string Input(string name) =>
        Inputs.TryGetValue(name, out var dir) ? dir
            : throw new NasOnnxException($"stage '{StageName}' needs input '{name}'", $"add `inputs: {{ {name}: <earlier stage> }}` to the stage") { FilePath = PipelineFile, Stage = StageName };

    public bool HasInput(string name) => Inputs.ContainsKey(name);

    public long Int(string name) => (long)(Params[name] ?? throw Missing(name));
    public double Float(string name) => Params[name] switch
    {
        double d => d,
        long l => l,
        _ => throw Missing(name),
    };
    public bool Bool(string name) => (bool)(Params[name] ?? throw Missing(name));
    public string? String(string name) => (string?)Params[name];
    public string RequiredString(string name) => String(name) ?? throw Missing(name);
    public long[] IntList(string name) => (long[])(Params[name] ?? throw Missing(name));

    /// <summary>Resolves a user-given path against the project root.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ProjectRoot, path));

    public string OutputPath(string fileName) => Path.Combine(OutputDir, fileName);

    public NasOnnxException Error(string message, string? fix = null, string? file = null) =>
        new(message, fix) { Stage = StageName, FilePath = file };

    private NasOnnxException Missing(string name) =>
        Error($"parameter '{name}' has no value", $"set `{name}:` under the stage's params in {PipelineFile}", PipelineFile);
}

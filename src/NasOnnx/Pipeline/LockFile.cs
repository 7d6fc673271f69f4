using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Core;

namespace NasOnnx.Pipeline;

/// <summary>What the lock records about one completed stage (DVC-style): what went in, what came out.</summary>
public sealed class StageLock
{
    public string Kind { get; set; } = "";
    /// <summary>Hash over everything below except outputs: equal keys mean the stage would compute the same thing.</summary>
    public string Key { get; set; } = "";
    public string Code { get; set; } = "";
    public long Seed { get; set; }
    public SortedDictionary<string, JsonElement> Params { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Dependencies { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Inputs { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The `--set` overrides of the run that computed this stage and applied to it (not part of the key:
    /// their effect is already in <see cref="Params"/>); the report turns them back into the command that reproduces the run.</summary>
    public List<string> Sets { get; set; } = [];
    public SortedDictionary<string, string> Outputs { get; set; } = new(StringComparer.Ordinal);
    public string OutputsHash { get; set; } = "";
    public DateTimeOffset Completed { get; set; }
    /// <summary>The libtorch numerics configuration in force while the stage ran (null for stages that never started
    /// libtorch); not part of the key, so a machine that needs the safe configuration reuses results made without it.</summary>
    public string? Numerics { get; set; }
    public double Seconds { get; set; }
}

/// <summary>runs/&lt;pipeline&gt;/pipeline.lock: per stage, the hashes of its inputs, params, code and outputs.</summary>
public sealed class LockFile
{
    public int Format { get; set; } = 1;
    public string Pipeline { get; set; } = "";
    /// <summary>The pipeline file of the last run, relative to the project root ('/' separators), so a run folder names its recipe.</summary>
    public string? PipelineFile { get; set; }
    public SortedDictionary<string, StageLock> Stages { get; set; } = new(StringComparer.Ordinal);


    public static LockFile Load(string path, string pipeline)
    {
        if (!File.Exists(path)) return new LockFile { Pipeline = pipeline };
        try
        {
            return JsonSerializer.Deserialize<LockFile>(File.ReadAllText(path), SnakeJson.Options) ?? new LockFile { Pipeline = pipeline };
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"the lock file is not valid JSON ({e.Message})",
                "delete it to re-run every stage, or restore it from version control") { FilePath = path };
        }
    }

    public void Save(string path) => AtomicWrite.Text(path, JsonSerializer.Serialize(this, SnakeJson.Options));

    /// <summary>Writes the lock into a temp file beside <paramref name="path"/>; <see cref="AtomicWrite.Commit"/> puts it in place.</summary>
    public string Prepare(string path)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, SnakeJson.Options));
        return AtomicWrite.Prepare(path, s => s.Write(bytes));
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using NasOnnx.Core;

namespace NasOnnx.Artifacts;

/// <summary>runs/&lt;pipeline&gt;/pipeline.lock: per stage, the hashes of its inputs, params, code and outputs.</summary>
public sealed class LockFile
{
    public const string FileName = "pipeline.lock";

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

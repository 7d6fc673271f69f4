using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Architectures;

namespace NasOnnx.Search;

/// <summary>
/// search.json: what a search found. <see cref="Best"/> is the best architecture evaluated (multi-trial) or the
/// one derived with default options (one-shot); <see cref="Payload"/> holds what the strategy needs to derive
/// again with other options (architecture weights, policy probabilities, the evaluated population ...).
/// </summary>
public sealed record SearchOutcome
{
    public const string FileName = "search.json";

    public required string Strategy { get; init; }
    public required string Space { get; init; }
    /// <summary>The options the space was created with (input shape, classes, width, depth); the search stage fills it in.</summary>
    public SpaceOptions? SpaceOptions { get; init; }
    /// <summary>The architecture JSON of the best candidate.</summary>
    public required JsonElement Best { get; init; }
    public IReadOnlyDictionary<string, double> BestObjectives { get; init; } = new Dictionary<string, double>();
    /// <summary>Architectures trained or scored (multi-trial) or supernet epochs (one-shot).</summary>
    public int Evaluations { get; init; }
    public double Seconds { get; init; }
    public JsonElement? Payload { get; init; }

    public void Save(string dir) => AtomicWrite.Text(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, SnakeJson.Options));

    public static SearchOutcome Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
            throw new NasOnnxException($"{FileName} is missing in {dir}", "the `search` input must name a search stage; re-run it with --force") { FilePath = path };
        try
        {
            return JsonSerializer.Deserialize<SearchOutcome>(File.ReadAllText(path), SnakeJson.Options) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new NasOnnxException($"{FileName} is damaged ({e.Message})", "re-run the search stage with --force") { FilePath = path };
        }
    }
}

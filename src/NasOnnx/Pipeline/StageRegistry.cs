namespace NasOnnx.Pipeline;

/// <summary>The stage kinds a pipeline may use, by name.</summary>
public sealed class StageRegistry
{
    private readonly Dictionary<string, IStage> _stages = new(StringComparer.Ordinal);

    public StageRegistry(IEnumerable<IStage> stages)
    {
        foreach (var s in stages) _stages.Add(s.Kind, s);
    }

    public IEnumerable<string> Kinds => _stages.Keys.OrderBy(k => k, StringComparer.Ordinal);

    public IStage? Find(string kind) => _stages.GetValueOrDefault(kind);

    public IStage Get(string kind) => Find(kind) ?? throw new NasOnnxException($"unknown stage kind '{kind}'");
}

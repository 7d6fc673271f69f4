namespace NasOnnx.Architectures;

/// <summary>A candidate of a search space: tensor-free, immutable, with a JSON form and a stable id.</summary>
public interface IArchitecture
{
    /// <summary>The name of the space the architecture belongs to ("darts", "nb201", ...).</summary>
    string Space { get; }

    /// <summary>A short hex hash of the canonical JSON: equal architectures have equal ids. Used for dedup, caching, file names.</summary>
    string ArchId { get; }

    string ToJson(bool indented = true);
}

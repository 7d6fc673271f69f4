namespace NasOnnx.Search.MultiTrial;

/// <summary>What a strategy proposes to evaluate next.</summary>
public sealed record Proposal(Architectures.IArchitecture Architecture, IReadOnlyList<string> Parents, int Generation);

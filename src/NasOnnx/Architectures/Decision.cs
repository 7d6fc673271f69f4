namespace NasOnnx.Architectures;

/// <summary>One categorical decision of a space and its choices (names for display).</summary>
public sealed record Decision(string Name, IReadOnlyList<string> Choices);

using NasOnnx.Ops;

namespace NasOnnx.Latency;

/// <summary>The table entries of a decision space, split for one-shot search: fixed parts and, per decision and choice, the ops the choice adds.</summary>
public sealed record ChoiceInstances(IReadOnlyList<(OpInstance Op, double Weight)> Fixed, IReadOnlyList<IReadOnlyList<IReadOnlyList<(OpInstance Op, double Weight)>>> PerChoice);

namespace NasOnnx.Pipeline;

/// <summary>A raw parameter value as written in the file (a scalar string or a list of scalars), with its position.</summary>
public sealed record RawParam(object Value, SourceSpot Spot);

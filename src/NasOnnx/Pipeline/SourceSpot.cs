namespace NasOnnx.Pipeline;

/// <summary>Where something was written in a pipeline file, for error messages.</summary>
public readonly record struct SourceSpot(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}

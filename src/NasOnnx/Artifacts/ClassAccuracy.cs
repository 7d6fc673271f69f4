namespace NasOnnx.Artifacts;

/// <summary>One row of an evaluate stage's per_class.csv.</summary>
public sealed record ClassAccuracy(int Class, string Name, long Images, double Accuracy);

namespace NasOnnx.Pipeline;

/// <summary>An input a stage kind takes from an earlier stage's outputs.</summary>
public sealed record InputSpec(string Name, string Description, bool Required = true);

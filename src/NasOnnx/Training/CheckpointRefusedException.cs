namespace NasOnnx.Training;

/// <summary>A checkpoint that cannot be used, with the reason in words.</summary>
public sealed class CheckpointRefusedException(string message) : Exception(message);

namespace NasOnnx.Tests.Training;

/// <summary>
/// Tests that train in the test process share torch's global generator and thread count, so they run one at a
/// time (xunit runs different collections in parallel).
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchCollection
{
    public const string Name = "torch (global generator)";
}

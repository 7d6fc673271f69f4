namespace NasOnnx.Architectures;

/// <summary>
/// Network-level parameters a space is instantiated with: input shape, classes, and the width and depth
/// knobs each space interprets (null: the space's default). Fashion-MNIST shape by default.
/// </summary>
public sealed record SpaceOptions(int Channels = 1, int Resolution = 28, int Classes = 10, int? Width = null, int? Depth = null)
{
    public static SpaceOptions FashionMnist { get; } = new();
    public static SpaceOptions Cifar10 { get; } = new(3, 32, 10);

    public InputShape Input => new(Channels, Resolution, Resolution);

    internal void Validate()
    {
        if (Channels < 1 || Resolution < 1 || Classes < 1)
            throw new NasOnnxException($"Invalid space options: channels {Channels}, resolution {Resolution}, classes {Classes}.",
                "Use positive values, e.g. channels 1, resolution 28, classes 10 for Fashion-MNIST.");
        if (Width is < 1 || Depth is < 1)
            throw new NasOnnxException($"Invalid space options: width {Width}, depth {Depth}.", "Width and depth must be at least 1.");
    }
}

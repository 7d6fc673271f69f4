namespace NasOnnx.Architectures;

/// <summary>
/// Network-level parameters a space is instantiated with: input shape, classes, and the width and depth
/// knobs each space interprets (null: the space's default). Fashion-MNIST shape by default.
/// For text (<see cref="Vocabulary"/> set) the input is token ids: Channels is 1 and Resolution is the sequence length the
/// data was prepared at (networks take any length; latency is profiled at this one).
/// </summary>
public sealed record SpaceOptions(int Channels = 1, int Resolution = 28, int Classes = 10, int? Width = null, int? Depth = null, int? Vocabulary = null)
{
    /// <summary>Derived from <see cref="Vocabulary"/>; not written (image options serialize as they did before text existed:
    /// search.json, predictor.json and the goldens pinning them stay byte for byte the same).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsText => Vocabulary is not null;

    /// <summary>Token sequences of <paramref name="length"/> ids from a vocabulary of <paramref name="vocabulary"/> (including pad and unk).</summary>
    public static SpaceOptions Text(int vocabulary, int length, int classes, int? width = null, int? depth = null) =>
        new(1, length, classes, width, depth, vocabulary);

    public static SpaceOptions FashionMnist { get; } = new();
    public static SpaceOptions Cifar10 { get; } = new(3, 32, 10);

    /// <summary>Images: C x R x R. Text: 1 x 1 x sequence length.</summary>
    public InputShape Input => IsText ? new(1, 1, Resolution) : new(Channels, Resolution, Resolution);

    internal void Validate()
    {
        if (Channels < 1 || Resolution < 1 || Classes < 1)
            throw new NasOnnxException($"Invalid space options: channels {Channels}, resolution {Resolution}, classes {Classes}.",
                "Use positive values, e.g. channels 1, resolution 28, classes 10 for Fashion-MNIST.");
        if (Vocabulary is < 3)
            throw new NasOnnxException($"Invalid space options: vocabulary {Vocabulary}.", "A vocabulary holds <pad>, <unk> and at least one word.");
        if (Width is < 1 || Depth is < 1)
            throw new NasOnnxException($"Invalid space options: width {Width}, depth {Depth}.", "Width and depth must be at least 1.");
    }
}

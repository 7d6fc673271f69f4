using System.Text;
using System.Text.Json.Serialization;
using NasOnnx.Spaces.Text;

namespace NasOnnx.Architectures;

/// <summary>
/// Network-level parameters a space is instantiated with: input shape, classes, and the width and depth
/// knobs each space interprets (null: the space's default). Fashion-MNIST shape by default.
/// For text (<see cref="Vocabulary"/> set) the input is token ids: Channels is 1 and Resolution is the sequence length the
/// data was prepared at (networks take any length; latency is profiled at this one); <see cref="Ops"/> and
/// <see cref="Poolings"/> restrict the text space's op and pooling decisions (null: all).
/// </summary>
public sealed record SpaceOptions(int Channels = 1, int Resolution = 28, int Classes = 10, int? Width = null, int? Depth = null, int? Vocabulary = null,
    string? Ops = null, string? Poolings = null)
{
    /// <summary>Text space: the ops every layer's op decision offers, as canonical comma-separated names (TextOp.All order, no
    /// duplicates, also through `with`, so equal sets compare equal: the search checks its latency predictor's options with ==); null: every op.
    /// A string and not a list because records compare lists by reference. Left out of JSON when null, so image options
    /// (search.json, predictor.json and the goldens pinning them) serialize byte for byte as they did before.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ops { get => _ops; init => _ops = TextSpace.CanonicalOps(value); }

    private readonly string? _ops = TextSpace.CanonicalOps(Ops);

    /// <summary>Text space: the poolings the head's pooling decision offers (canonical comma-separated names as
    /// <see cref="Ops"/>; null: all). Left out of JSON when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Poolings { get => _poolings; init => _poolings = TextSpace.CanonicalPoolings(value); }

    private readonly string? _poolings = TextSpace.CanonicalPoolings(Poolings);

    /// <summary>Derived from <see cref="Vocabulary"/>; not written (image options serialize as they did before text existed:
    /// search.json, predictor.json and the goldens pinning them stay byte for byte the same).</summary>
    [JsonIgnore]
    public bool IsText => Vocabulary is not null;

    /// <summary>Token sequences of <paramref name="length"/> ids from a vocabulary of <paramref name="vocabulary"/> (including pad and unk);
    /// <paramref name="ops"/> and <paramref name="poolings"/>: comma-separated names restricting the text space (null: all).</summary>
    public static SpaceOptions Text(int vocabulary, int length, int classes, int? width = null, int? depth = null, string? ops = null, string? poolings = null) =>
        new(1, length, classes, width, depth, vocabulary, ops, poolings);

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
        if (!IsText && (Ops is not null || Poolings is not null))
            throw new NasOnnxException($"Invalid space options: {(Ops is not null ? $"ops [{Ops}]" : "")}{(Ops is not null && Poolings is not null ? " and " : "")}{(Poolings is not null ? $"poolings [{Poolings}]" : "")} given for images.",
                "ops and poolings are parameters of the text space (token sequences); leave them out for the image spaces (darts, nb201, chain, macro).");
    }

    /// <summary>As the compiler would print the record, but Ops and Poolings only when set: image options print as they did
    /// before they existed (the multi-trial resume fingerprint includes this text, so runs in progress stay resumable).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Channels = ").Append(Channels).Append(", Resolution = ").Append(Resolution).Append(", Classes = ").Append(Classes)
            .Append(", Width = ").Append(Width?.ToString()).Append(", Depth = ").Append(Depth?.ToString())
            .Append(", Vocabulary = ").Append(Vocabulary?.ToString());
        if (Ops is not null) builder.Append(", Ops = ").Append(Ops);
        if (Poolings is not null) builder.Append(", Poolings = ").Append(Poolings);
        builder.Append(", IsText = ").Append(IsText).Append(", Input = ").Append(Input);
        return true;
    }
}

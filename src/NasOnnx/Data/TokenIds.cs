namespace NasOnnx.Data;

/// <summary>
/// The reserved token ids every vocabulary starts with. Networks mask <see cref="Pad"/> positions out and map any id
/// outside their vocabulary to <see cref="Unknown"/> (inside the ONNX graph too, since Gather fails on an out-of-range id).
/// </summary>
public static class TokenIds
{
    public const int Pad = 0;
    public const int Unknown = 1;
    public const string PadToken = "<pad>";
    public const string UnknownToken = "<unk>";
}

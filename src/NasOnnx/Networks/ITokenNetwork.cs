namespace NasOnnx.Networks;

/// <summary>
/// A network over token sequences instead of images: its input is int64 token ids [batch, length] (any length; pad id 0
/// masked inside), so the exporter declares a symbolic [batch, seq] int64 input named "tokens" and verification, latency
/// and evaluation feed ids instead of pixels.
/// </summary>
public interface ITokenNetwork
{
    /// <summary>Ids 0..Vocabulary-1 are known; larger ids are read as &lt;unk&gt;.</summary>
    int Vocabulary { get; }

    /// <summary>The sequence length the data was prepared at: what latency is measured at.</summary>
    int ReferenceLength { get; }
}

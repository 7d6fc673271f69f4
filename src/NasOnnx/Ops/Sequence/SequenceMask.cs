using NasOnnx.Runtime;
namespace NasOnnx.Ops.Sequence;

/// <summary>
/// Which positions of a batch of right-padded sequences are real, in the forms the sequence ops need, computed once per
/// forward from the token ids (pad id 0) and shared by every layer. Every form is built on first use, so a network
/// without attention never computes the key bias. <see cref="SequenceOp"/>s take null for "every position is real".
/// </summary>
public sealed class SequenceMask
{
    private readonly Tensor _ids;
    private readonly ScalarType _dtype;
    private Tensor? _real, _pad, _weights, _count, _empty, _lengths, _keyBias, _reverse;

    /// <summary>Tokens [N, L] (int64, pad id 0); float forms in <paramref name="dtype"/>.</summary>
    public SequenceMask(Tensor tokens, ScalarType dtype)
    {
        if (tokens.dim() != 2) throw new ArgumentException($"token ids must be [batch, length], got [{string.Join(", ", tokens.shape)}]", nameof(tokens));
        _ids = tokens;
        _dtype = dtype;
    }

    /// <summary>Padding id of the token ids (<see cref="Data.TokenIds.Pad"/>).</summary>
    public const long PadId = 0;

    /// <summary>Additive attention bias of a padded key: large enough that exp() is exactly 0, finite so that an all-padding row gives no NaN.</summary>
    public const float KeyPenalty = 1e9f;

    private static readonly Scalar KeyPenaltyScalar = KeyPenalty.ToScalar(); // held: see HeldScalars

    /// <summary>[N, L, 1] bool: true at real tokens.</summary>
    public Tensor Real => _real ??= _ids.ne(HeldScalars.LongZero).unsqueeze(2);

    /// <summary>[N, L, 1] bool: true at padding.</summary>
    public Tensor Pad => _pad ??= Real.logical_not();

    /// <summary>[N, L, 1] float: 1 at real tokens, 0 at padding (multiplying by it zeroes the padding).</summary>
    public Tensor Weights => _weights ??= Real.to_type(_dtype);

    /// <summary>[N, 1] float: the number of real tokens per row.</summary>
    public Tensor Count => _count ??= Weights.sum(1);

    /// <summary>[N, 1] bool: rows without any real token.</summary>
    public Tensor Empty => _empty ??= Count.le(HeldScalars.FloatZero);

    /// <summary>[N] int64: real tokens per row, at least 1 (what the ONNX GRU's sequence_lens gets).</summary>
    public Tensor Lengths => _lengths ??= Count.clamp_min(HeldScalars.FloatOne).reshape(-1).to_type(ScalarType.Int64);

    /// <summary>[N, 1, 1, L] float: 0 for real keys, -<see cref="KeyPenalty"/> for padded ones (added to attention scores).</summary>
    public Tensor KeyBias => _keyBias ??= Weights.sub(HeldScalars.FloatOne).mul(KeyPenaltyScalar).transpose(1, 2).unsqueeze(1);

    /// <summary>[N, L] int64: position t of row n maps to len-1-t inside the row's length and to itself in the padding, so
    /// gathering with it reverses every row within its own length (its own inverse).</summary>
    public Tensor ReverseIndex
    {
        get
        {
            if (_reverse is not null) return _reverse;
            long length = _ids.shape[1];
            var t = torch.arange(length, dtype: ScalarType.Int64).unsqueeze(0);
            var len = Lengths.unsqueeze(1);
            _reverse = torch.where(t.lt(len), len.sub(HeldScalars.LongOne).sub(t), t);
            return _reverse;
        }
    }
}

using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// Multi-head self-attention: q, k, v and output projections (Linear, bias), softmax(q k^T / sqrt(d) + key bias) v per
/// head. Padded keys get -1e9 (exp gives exactly 0), so real positions attend to real tokens only. In ONNX the heads are
/// split with Reshape [0, 0, heads, d] so batch and length stay symbolic.
/// </summary>
public sealed class SelfAttention : SequenceOp
{
    private readonly Linear q;
    private readonly Linear k;
    private readonly Linear v;
    private readonly Linear o;
    private readonly long _channels, _heads, _headWidth;

    public SelfAttention(long channels, long heads) : base(nameof(SelfAttention))
    {
        if (heads < 1 || channels % heads != 0)
            throw new ArgumentException($"{heads} attention heads do not divide {channels} channels", nameof(heads));
        _channels = channels;
        _heads = heads;
        _headWidth = channels / heads;
        q = nn.Linear(channels, channels);
        k = nn.Linear(channels, channels);
        v = nn.Linear(channels, channels);
        o = nn.Linear(channels, channels);
        RegisterComponents();
    }

    public long Heads => _heads;

    private double Scale => 1.0 / Math.Sqrt(_headWidth);

    public override Tensor Forward(Tensor x, SequenceMask? mask)
    {
        long n = x.shape[0], l = x.shape[1];
        Tensor Split(Linear proj) => proj.call(x).view(n, l, _heads, _headWidth).transpose(1, 2); // [N, H, L, d]
        // The [N, H, L, L] tensors dominate memory (at 800 tokens, batch 64: 655 MB each). The step's dispose scope would
        // keep every one alive until the batch ends, so they are scaled and masked in place (matmul's backward needs its
        // inputs, not its output) and released as soon as they are used; autograd keeps what backward needs by itself.
        var scores = Split(q).matmul(Split(k).transpose(2, 3));
        using (var scale = Scale.ToScalar()) scores.mul_(scale); // held: see HeldScalars
        if (mask is not null) scores.PlusInPlace(mask.KeyBias);
        var weights = nn.functional.softmax(scores, -1);
        scores.Dispose();
        var attended = weights.matmul(Split(v)); // [N, H, L, d]
        weights.Dispose();
        return o.call(attended.transpose(1, 2).reshape(n, l, _channels));
    }

    public override string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        string Split(Linear proj, string what, long[] perm) =>
            SequenceOnnx.Transpose(g, SequenceOnnx.Reshape(g, SequenceOnnx.Linear(g, x, proj, $"{name}.{what}"), [0, 0, _heads, _headWidth], $"{name}.{what}_heads"), perm, $"{name}.{what}_t");
        string qh = Split(q, "q", [0, 2, 1, 3]); // [N, H, L, d]
        string kt = Split(k, "k", [0, 2, 3, 1]); // [N, H, d, L]
        string vh = Split(v, "v", [0, 2, 1, 3]);
        string scores = g.Node("Mul", [g.Node("MatMul", [qh, kt], name + ".qk"), g.FloatScalar((float)Scale)], name + ".scores");
        if (mask is not null) scores = g.Node("Add", [scores, mask.KeyBias], name + ".scores_masked");
        string p = g.Node("Softmax", [scores], name + ".softmax", OnnxGraphBuilder.Int("axis", -1));
        string attended = SequenceOnnx.Transpose(g, g.Node("MatMul", [p, vh], name + ".attend"), [0, 2, 1, 3], name + ".attend_t");
        return SequenceOnnx.Linear(g, SequenceOnnx.Reshape(g, attended, [0, 0, _channels], name + ".merge"), o, name + ".o");
    }
}

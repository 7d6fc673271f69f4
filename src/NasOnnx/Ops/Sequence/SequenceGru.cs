using NasOnnx.OnnxGraph;

namespace NasOnnx.Ops.Sequence;

/// <summary>
/// A GRU over the sequence, bidirectional by default (hidden width/2 per direction, outputs concatenated forward then
/// backward), with packed-sequence semantics: the backward direction starts at each row's last real token.
/// TorchSharp: the forward GRU runs over the padded rows (real positions only see earlier ones); the backward one runs
/// forward over each row reversed within its own length (a gather) and its output is reversed back. ONNX: one GRU node,
/// direction "bidirectional", sequence_lens = the rows' lengths, weights reordered from PyTorch's gate order (r, z, n) to
/// ONNX's (z, r, h), linear_before_reset = 1 (PyTorch's form). Outputs at padded positions differ between the two (ONNX
/// writes zeros there); the network masks them.
/// </summary>
public sealed class SequenceGru : SequenceOp
{
    private readonly GRU fwd;
    private readonly GRU? bwd;
    private readonly long _hidden;

    public SequenceGru(long channels, bool bidirectional = true) : base(nameof(SequenceGru))
    {
        if (bidirectional && channels % 2 != 0)
            throw new ArgumentException($"a bidirectional GRU splits the width between its directions: {channels} is odd", nameof(channels));
        _hidden = bidirectional ? channels / 2 : channels;
        fwd = nn.GRU(channels, _hidden, batchFirst: true);
        bwd = bidirectional ? nn.GRU(channels, _hidden, batchFirst: true) : null;
        RegisterComponents();
    }

    public bool Bidirectional => bwd is not null;

    public override Tensor Forward(Tensor x, SequenceMask? mask)
    {
        var (forward, _) = fwd.call(x, null);
        if (bwd is null) return forward;
        var reversed = Reverse(x, mask);
        var (backward, _) = bwd.call(reversed, null);
        return torch.cat([forward, Reverse(backward, mask)], 2);
    }

    /// <summary>Each row reversed within its length (the whole row without a mask).</summary>
    private static Tensor Reverse(Tensor x, SequenceMask? mask)
    {
        if (mask is null) return x.flip(1);
        var index = mask.ReverseIndex.unsqueeze(2).expand(x.shape[0], x.shape[1], x.shape[2]);
        return x.gather(1, index);
    }

    public override string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        var directions = bwd is null ? new[] { fwd } : new[] { fwd, bwd };
        long dirs = directions.Length, h = _hidden;
        float[] Stack(string parameter) => directions.SelectMany(d => Reorder(Parameter(d, parameter), h)).ToArray();
        long input = Parameter(fwd, "weight_ih_l0").shape[1];
        string w = g.AddInitializer(name + ".W", Stack("weight_ih_l0"), [dirs, 3 * h, input]);
        string r = g.AddInitializer(name + ".R", Stack("weight_hh_l0"), [dirs, 3 * h, h]);
        var b = directions.SelectMany(d => Reorder(Parameter(d, "bias_ih_l0"), h).Concat(Reorder(Parameter(d, "bias_hh_l0"), h))).ToArray();
        string bias = g.AddInitializer(name + ".B", b, [dirs, 6 * h]);
        string seq = SequenceOnnx.Transpose(g, x, [1, 0, 2], name + ".lnc"); // [L, N, C]
        var inputs = new List<string> { seq, w, r, bias };
        if (mask is not null) inputs.Add(mask.Lengths);
        string y = g.Node("GRU", inputs, name + ".gru",
            OnnxGraphBuilder.Int("hidden_size", h), OnnxGraphBuilder.Str("direction", dirs == 2 ? "bidirectional" : "forward"),
            OnnxGraphBuilder.Int("linear_before_reset", 1)); // Y: [L, dirs, N, H]
        string nl = SequenceOnnx.Transpose(g, y, [2, 0, 1, 3], name + ".nldh");
        return SequenceOnnx.Reshape(g, nl, [0, 0, dirs * h], name + ".out");
    }

    private static Tensor Parameter(GRU gru, string name) =>
        gru.named_parameters().First(p => p.name == name).parameter;

    /// <summary>PyTorch's gate blocks (r, z, n) along the first axis as ONNX's (z, r, h), flattened.</summary>
    private static float[] Reorder(Tensor t, long hidden)
    {
        using var cpu = t.detach().cpu().to_type(ScalarType.Float32).contiguous();
        float[] data = cpu.data<float>().ToArray();
        long block = hidden * (t.dim() == 2 ? t.shape[1] : 1);
        var result = new float[data.Length];
        Array.Copy(data, block, result, 0, block);          // z
        Array.Copy(data, 0, result, block, block);          // r
        Array.Copy(data, 2 * block, result, 2 * block, block); // n -> h
        return result;
    }
}

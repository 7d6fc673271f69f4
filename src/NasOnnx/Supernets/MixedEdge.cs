using NasOnnx.Runtime;
using NasOnnx.Ops;

namespace NasOnnx.Supernets;

/// <summary>
/// One edge of a supernet: the candidate ops of a decision, built by the same factory as the discrete networks.
/// 'none' is never computed (it contributes nothing, so the edge returns null when only 'none' is selected).
/// With <c>partialK</c> &gt; 1 only the first 1/K of the channels go through the ops (PC-DARTS); the rest bypass
/// (max-pooled when the edge reduces) and a channel shuffle mixes the two parts.
/// </summary>
public sealed class MixedEdge : nn.Module
{
    private readonly ModuleList<OpModule> ops = new();
    private readonly int[] _slot;
    private readonly long _channels, _stride;
    private readonly int _k;

    public MixedEdge(IReadOnlyList<string> choices, Func<string, long, OpModule?> build, long channels, long stride, int partialK = 1)
        : base(nameof(MixedEdge))
    {
        if (partialK < 1 || channels % partialK != 0)
            throw new NasOnnxException($"partial channels K={partialK} must divide the edge's {channels} channels",
                "choose partial_k among the divisors of the supernet width (e.g. 2 or 4 with width 16)");
        Choices = choices;
        _channels = channels;
        _stride = stride;
        _k = partialK;
        _slot = new int[choices.Count];
        for (int i = 0; i < choices.Count; i++)
        {
            var op = build(choices[i], channels / partialK);
            if (op is null) { _slot[i] = -1; continue; }
            _slot[i] = ops.Count;
            ops.Add(op);
        }
        RegisterComponents();
    }

    public IReadOnlyList<string> Choices { get; }

    /// <summary>The op module of choice <paramref name="choice"/> (null for 'none').</summary>
    public OpModule? Op(int choice) => _slot[choice] < 0 ? null : ops[_slot[choice]];

    /// <summary>Output of the edge, or null when it contributes zero.</summary>
    public Tensor? Run(Tensor x, EdgeSelection sel)
    {
        if (!sel.Active) return null;
        if (_k == 1) return Mix(x, sel);
        long part = _channels / _k;
        var xa = x.narrow(1, 0, part);
        var xb = x.narrow(1, part, _channels - part);
        var ya = Mix(xa, sel);
        var yb = _stride == 1 ? xb : nn.functional.max_pool2d(xb, 3, _stride, 1);
        ya ??= torch.zeros([x.shape[0], part, yb.shape[2], yb.shape[3]], dtype: x.dtype);
        var y = torch.cat([ya, yb], 1);
        return Shuffle(y, _k);
    }

    private Tensor? Mix(Tensor x, EdgeSelection sel)
    {
        if (sel.Weights is { } w)
        {
            Tensor? acc = null, relued = null;
            for (int i = 0; i < _slot.Length; i++)
            {
                if (_slot[i] < 0) continue;
                var op = ops[_slot[i]];
                Tensor y;
                bool shared = op is IReluFirstOp { StartsWithRelu: true };
                if (shared) relued ??= nn.functional.relu(x); // one ReLU for all the ops that start with it
                using (torch.NewDisposeScope())
                {
                    // the op's intermediate handles die with this scope; autograd keeps what backward needs
                    y = (shared ? ((IReluFirstOp)op).ForwardAfterRelu(relued!) : op.call(x)).MoveToOuterDisposeScope();
                }
                using var wi = w[i];
                if (acc is null) acc = y.mul(wi);
                else acc.addcmul_(y, wi, HeldScalars.FloatOne); // fused multiply-add; acc is not saved by autograd, so in place is safe
                y.Dispose(); // autograd keeps what it needs; the handle would pin the memory until the batch ends
            }
            return acc;
        }
        int slot = _slot[sel.Index];
        if (slot < 0) return null;
        Tensor out1;
        using (torch.NewDisposeScope()) out1 = ops[slot].call(x).MoveToOuterDisposeScope();
        if (sel.Scale is null) return out1;
        var scaled = out1.mul(sel.Scale);
        out1.Dispose();
        return scaled;
    }

    /// <summary>PC-DARTS' channel shuffle with K groups (reshape, not view: a channels-last input has no [N, K, C/K, H, W] view).</summary>
    public static Tensor Shuffle(Tensor x, long groups)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        return x.reshape(n, groups, c / groups, h, w).transpose(1, 2).reshape(n, c, h, w);
    }
}

using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Ops;

namespace NasOnnx.Spaces.Macro;

/// <summary>
/// Macro: stem, per layer a conv (kernel, width, stride) or a pool, one projection (1x1 conv, strided) or identity
/// plus an Add per skip connection, classifier. <see cref="ISpaceLatencyModel.Instances"/> is exact over the emitted
/// graph. The decisions interact (a layer's width is the next layer's input, the depth moves the reductions), so
/// there is no per-choice split: one-shot search over this space is not supported, multi-trial uses PredictMs.
/// </summary>
public sealed class MacroLatencyModel(MacroSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => MacroSpace.SpaceName;
    public override string Coverage => "macro: stem, every conv (1x1/3x3/5x5, every allowed in and out width, stride 1 and 2) and pool at every depth's layer resolutions, every skip projection (width pair, 1-4x downsampling) with its Add, and the classifier; no per-choice split (decisions interact).";

    private IEnumerable<OpInstance> Layer(MacroOp op, int prev, int width, int stride, int r) =>
        op.IsConv
            ? [ConvBnOp(prev, width, op.Kernel, stride, r, false, Activation.Relu)]
            : [CellOp(op.Name, prev, r, stride)];

    private IEnumerable<OpInstance> Skip(MacroSkipShape skip, int width, int rOut)
    {
        if (skip.NeedsProjection(width)) yield return ConvBnOp(skip.FromWidth, width, 1, 1 << skip.Reductions, skip.FromResolution, false, Activation.None);
        yield return Add(width, rOut);
    }

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not MacroArchitecture arch) throw WrongSpace(architecture);
        var layers = MacroLayout.Of(arch);
        var result = new List<OpInstance> { ConvBnOp(arch.Input.Channels, arch.Config.StemWidth, 3, 1, arch.Input.Height, false, Activation.Relu) };
        foreach (var l in layers)
        {
            result.AddRange(Layer(l.Op, l.In, l.Width, l.Stride, l.Resolution));
            foreach (var skip in l.Skips) result.AddRange(Skip(skip, l.Width, l.ResolutionOut));
        }
        int prev = layers.Count > 0 ? layers[^1].Width : arch.Config.StemWidth, r = layers.Count > 0 ? layers[^1].ResolutionOut : arch.Input.Height;
        result.Add(Head(prev, r, arch.Classes));
        return result;
    }

    public override ChoiceInstances Choices() =>
        throw new NasOnnxException("The macro space has no per-decision latency split: a layer's width is the next layer's input and the depth moves the reductions.",
            "Use LatencyPredictor.PredictMs per architecture (multi-trial search), or a chain/nb201/darts space for one-shot search.");

    public override IReadOnlyList<OpInstance> Candidates()
    {
        var cfg = space.Config;
        var seen = new Dictionary<string, OpInstance>(StringComparer.Ordinal);
        void Put(OpInstance op) => Dedupe(seen, op);
        var input = space.Options.Input;
        int r0 = input.Height;
        Put(ConvBnOp(input.Channels, cfg.StemWidth, 3, 1, r0, false, Activation.Relu));
        int[] all = [.. cfg.Widths.Append(cfg.StemWidth).Distinct()];
        for (int depth = cfg.MinDepth; depth <= cfg.MaxDepth; depth++)
        {
            var reductions = MacroConfig.Reductions(depth);
            var rIn = new int[depth];
            var rOut = new int[depth];
            var reducedAfter = new int[depth];
            int r = r0, reduced = 0;
            for (int i = 0; i < depth; i++)
            {
                int stride = reductions.Contains(i) ? 2 : 1;
                if (stride == 2) reduced++;
                rIn[i] = r;
                rOut[i] = Out(r, stride);
                reducedAfter[i] = reduced;
                r = rOut[i];
            }
            for (int i = 0; i < depth; i++)
            {
                int stride = reductions.Contains(i) ? 2 : 1;
                foreach (int prev in i == 0 ? [cfg.StemWidth] : all)
                {
                    foreach (var op in MacroOp.All)
                        foreach (int width in op.IsConv ? cfg.Widths : [prev])
                            foreach (var o in Layer(op, prev, width, stride, rIn[i])) Put(o);
                }
                for (int j = 0; j < i; j++)
                    foreach (int from in all)
                        foreach (int width in all)
                            foreach (var o in Skip(new MacroSkipShape(j, from, rOut[j], reducedAfter[i] - reducedAfter[j]), width, rOut[i])) Put(o);
                if (i == depth - 1)
                    foreach (int width in all) Put(Head(width, rOut[i], space.Options.Classes));
            }
        }
        return seen.Values.ToArray();
    }
}

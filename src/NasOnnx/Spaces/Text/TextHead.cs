using NasOnnx.Runtime;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// [N, L, C] to logits [N, classes]: masked global pooling (max over real positions, 0 for a row without any; the mean
/// over real positions: sum / length; or both concatenated), dropout (training), Linear. As an <see cref="OpModule"/> (the
/// latency profiler's view) every position is real.
/// </summary>
public sealed class TextHead : OpModule
{
    private readonly Dropout drop;
    private readonly Linear classifier;
    private readonly TextPooling _pooling;

    public TextHead(long width, long classes, TextPooling pooling, double dropout) : base(nameof(TextHead))
    {
        _pooling = pooling;
        drop = nn.Dropout(dropout);
        classifier = nn.Linear(pooling == TextPooling.MaxMean ? 2 * width : width, classes);
        RegisterComponents();
    }

    public TextPooling Pooling => _pooling;

    public Tensor Forward(Tensor x, SequenceMask? mask)
    {
        var parts = new List<Tensor>();
        if (_pooling != TextPooling.Mean)
        {
            var max = (mask is null ? x : x.masked_fill(mask.Pad, HeldScalars.FloatNegativeInfinity)).amax([1]);
            parts.Add(mask is null ? max : max.masked_fill(mask.Empty, HeldScalars.FloatZero));
        }
        if (_pooling != TextPooling.Max)
            parts.Add(mask is null ? x.mean([1]) : x.sum(1).div(mask.Count.clamp_min(HeldScalars.FloatOne)));
        var pooled = parts.Count == 1 ? parts[0] : torch.cat(parts, 1);
        return classifier.call(drop.call(pooled));
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    public string Emit(OnnxGraphBuilder g, string x, OnnxSequenceMask? mask, string name)
    {
        var parts = new List<string>();
        if (_pooling != TextPooling.Mean)
        {
            string input = mask is null ? x : SequenceOnnx.Fill(g, mask.Real, x, float.NegativeInfinity, name + ".max_in");
            string max = g.Node("ReduceMax", [input], name + ".max", OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));
            parts.Add(mask is null ? max : g.Node("Where", [mask.Empty, g.FloatScalar(0f), max], name + ".max_real"));
        }
        if (_pooling != TextPooling.Max)
            parts.Add(mask is null
                ? g.Node("ReduceMean", [x], name + ".mean", OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0))
                : g.Node("Div", [g.Node("ReduceSum", [x, g.Int64s(1)], name + ".sum", OnnxGraphBuilder.Int("keepdims", 0)), g.Node("Max", [mask.Count, g.FloatScalar(1f)], name + ".length")], name + ".mean"));
        return g.Gemm(g.Concat(parts, name + ".pooled"), classifier, name + ".classifier");
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => Emit(g, input, null, name);
}

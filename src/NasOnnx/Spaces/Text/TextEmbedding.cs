using NasOnnx.Runtime;
using NasOnnx.Data;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// Token ids [N, L] (int64) to [N, L, width]: ids outside 0..vocabulary-1 become &lt;unk&gt; (in the graph too: Gather fails
/// on an out-of-range id), the embedding lookup, dropout (training), a Linear projection when the embedding is narrower or
/// wider than the layers, and the mask (padded positions exactly 0). As an <see cref="OpModule"/> (the latency profiler's
/// view) it takes the ids and computes the mask itself.
/// </summary>
public sealed class TextEmbedding : OpModule
{
    private readonly Embedding embed;
    private readonly Dropout drop;
    private readonly Linear? project;
    private readonly long _vocabulary;

    public TextEmbedding(long vocabulary, long embedWidth, long width, double dropout) : base(nameof(TextEmbedding))
    {
        _vocabulary = vocabulary;
        embed = nn.Embedding(vocabulary, embedWidth);
        drop = nn.Dropout(dropout);
        project = embedWidth == width ? null : nn.Linear(embedWidth, width);
        RegisterComponents();
    }

    /// <summary>The float type the embedding computes in (what masks are made in).</summary>
    public ScalarType DType => embed.weight!.dtype;

    public Tensor Forward(Tensor ids, SequenceMask mask)
    {
        if (ids.dim() != 2 || ids.dtype != ScalarType.Int64)
            throw new ArgumentException($"a text network takes int64 token ids [batch, length]; got {ids.dtype} [{string.Join(", ", ids.shape)}]", nameof(ids));
        using var vocabulary = ((long)_vocabulary).ToScalar(); // held: see HeldScalars
        using var unknown = ((long)TokenIds.Unknown).ToScalar();
        var known = ids.ge(HeldScalars.LongZero).logical_and(ids.lt(vocabulary));
        var x = drop.call(embed.call(ids.masked_fill(known.logical_not(), unknown)));
        if (project is not null) x = project.call(x);
        return x.mul(mask.Weights);
    }

    public override Tensor forward(Tensor ids) => Forward(ids, new SequenceMask(ids, DType));

    public string Emit(OnnxGraphBuilder g, string tokens, OnnxSequenceMask mask, string name)
    {
        string known = g.Node("And", [g.Node("GreaterOrEqual", [tokens, g.Int64s(0)], name + ".nonnegative"), g.Node("Less", [tokens, g.Int64s(_vocabulary)], name + ".in_vocabulary")], name + ".known");
        string ids = g.Node("Where", [known, tokens, g.Int64s(TokenIds.Unknown)], name + ".ids");
        string x = g.Node("Gather", [g.AddInitializer(name + ".embed.weight", embed.weight!), ids], name + ".embed", OnnxGraphBuilder.Int("axis", 0));
        if (project is not null) x = SequenceOnnx.Linear(g, x, project, name + ".project");
        return g.Node("Mul", [x, mask.Weights], name + ".masked");
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name) => Emit(g, input, new OnnxSequenceMask(g, input, name + ".mask"), name);
}

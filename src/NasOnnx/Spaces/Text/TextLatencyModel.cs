using NasOnnx.Architectures;
using NasOnnx.Latency;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// Text networks as table entries at the table's batch and the space's sequence length (SpaceOptions.Resolution: latency
/// per review at that length): the embedding (ids [B, L] to [B, L, width], with the &lt;unk&gt; mapping, the projection and
/// the mask), each layer's op at the layer width, one Add per skip, the LayerNorm, and the pooling head with the classifier.
/// Ops are measured on full-length input without a mask; the mask's own elementwise work is left to the calibration.
/// Per decision: the op decision carries its op and the LayerNorm, a "yes" skip its Add, the pooling decision the head,
/// the embedding is fixed; depth and input decisions carry nothing. Layers past an architecture's depth still count in
/// that split, so it is exact only at the full depth (which is what the supernet derives).
/// </summary>
public sealed class TextLatencyModel(TextSpace space, int batch) : LatencyModelBase(batch)
{
    public override string Space => TextSpace.SpaceName;

    public override string Coverage => "text: embedding (+projection, unk mapping, mask), every op of the space (conv k1/3/5/7, max/avg pool, attention, GRU unless restricted) at the layer width and the space's sequence length, skip Adds, LayerNorm, pooling head + classifier; ops measured without the mask; the per-decision split counts every layer (exact at full depth).";

    private string S3(int length, int width) => OpKey.Shape(Batch, length, width);

    private OpInstance Embedding(TextConfig c, int length) =>
        new(new OpKey("embedding", OpKey.Shape(Batch, length), S3(length, c.Width), $"v{c.Vocabulary}_e{c.Embed}"),
            () => new TextEmbedding(c.Vocabulary, c.Embed, c.Width, c.Dropout), tokenInput: true);

    private OpInstance Op(TextOp op, TextConfig c, int length) =>
        new(new OpKey(op.Name, S3(length, c.Width), S3(length, c.Width), op.Args(c)), () => op.Build(c));

    private OpInstance Norm(TextConfig c, int length) =>
        new(new OpKey("layer_norm", S3(length, c.Width), S3(length, c.Width), "affine"), () => new SequenceLayerNorm(c.Width));

    private OpInstance SkipAdd(TextConfig c, int length) =>
        new(new OpKey("add", S3(length, c.Width), S3(length, c.Width), "2"), () => new AddNode());

    private OpInstance HeadOp(TextConfig c, int length, int classes, TextPooling pooling) =>
        new(new OpKey("text_head", S3(length, c.Width), OpKey.Shape(Batch, classes), pooling.Name()),
            () => new TextHead(c.Width, classes, pooling, c.Dropout));

    public override IReadOnlyList<OpInstance> Instances(IArchitecture architecture)
    {
        if (architecture is not TextArchitecture arch) throw WrongSpace(architecture);
        var c = arch.Config;
        int length = arch.SequenceLength;
        var result = new List<OpInstance> { Embedding(c, length) };
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            result.Add(Op(arch.Ops[i], c, length));
            result.AddRange(arch.Layers[i].Skips.Select(_ => SkipAdd(c, length)));
            result.Add(Norm(c, length));
        }
        result.Add(HeadOp(c, length, arch.Classes, arch.Pooling));
        return result;
    }

    public override ChoiceInstances Choices()
    {
        var c = space.Config;
        int length = space.SequenceLength;
        var none = (IReadOnlyList<(OpInstance, double)>)[];
        var per = new List<IReadOnlyList<IReadOnlyList<(OpInstance, double)>>>();
        foreach (var d in space.Decisions)
        {
            if (d.Name == "pooling")
                per.Add([.. space.AllowedPoolings.Select(p => (IReadOnlyList<(OpInstance, double)>)[(HeadOp(c, length, space.Options.Classes, p), 1.0)])]);
            else if (d.Name.EndsWith(".op", StringComparison.Ordinal))
                per.Add([.. d.Choices.Select(op => (IReadOnlyList<(OpInstance, double)>)[(Op(TextOp.Find(op)!.Value, c, length), 1.0), (Norm(c, length), 1.0)])]);
            else if (d.Name.Contains(".skip_node", StringComparison.Ordinal))
                per.Add([none, [(SkipAdd(c, length), 1.0)]]);
            else
                per.Add([.. d.Choices.Select(_ => none)]); // depth, input: no op of their own
        }
        return new ChoiceInstances([(Embedding(c, length), 1.0)], per);
    }
}

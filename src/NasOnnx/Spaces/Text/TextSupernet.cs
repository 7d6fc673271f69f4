using NasOnnx.Runtime;
using NasOnnx.Architectures;
using NasOnnx.Networks;
using NasOnnx.Ops.Sequence;
using NasOnnx.Supernets;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// The text space as a supernet: the embedding, max_depth mixed layers (the space's ops, <see cref="TextSpace.AllowedOps"/>:
/// every op by default; each layer reads the previous node, no skips) and the space's pooling heads mixed. Alpha groups
/// "layer{i}" (1 x the space's ops, decision layer{i}.op) and "pooling" (1 x the space's poolings, decision pooling): row
/// column k is choice k of the decision, so a restricted space's alphas cover only its ops. Derivation: depth max_depth, the strongest op per layer and the strongest pooling, inputs the
/// previous node, no skips. Token ids in, logits out, like <see cref="TextNetwork"/>.
/// </summary>
public sealed class TextSupernet : Supernet
{
    public const string PoolingGroup = "pooling";

    private readonly TextEmbedding embedding;
    private readonly ModuleList<TextMixedLayer> layers = new();
    private readonly ModuleList<TextHead> heads = new();

    public TextSupernet(TextSpace space, int seed = 0) : base(nameof(TextSupernet), space)
    {
        var cfg = space.Config;
        embedding = new TextEmbedding(cfg.Vocabulary, cfg.Embed, cfg.Width, cfg.Dropout);
        var ops = space.AllowedOps.Select(n => TextOp.Find(n)!.Value).ToArray();
        for (int i = 0; i < cfg.MaxDepth; i++) layers.Add(new TextMixedLayer(cfg, ops));
        foreach (var p in space.AllowedPoolings) heads.Add(new TextHead(cfg.Width, space.Options.Classes, p, cfg.Dropout));
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        var gen = new Generator((ulong)seed + 1);
        for (int i = 0; i < cfg.MaxDepth; i++) Arch.AddAlpha(LayerGroup(i), ["layer"], space.AllowedOps, gen);
        Arch.AddAlpha(PoolingGroup, ["head"], [.. space.AllowedPoolings.Select(p => p.Name())], gen);
    }

    public static string LayerGroup(int layer) => $"layer{layer}";

    public override Tensor forward(Tensor ids)
    {
        var sel = Select();
        var mask = new SequenceMask(ids, embedding.DType);
        var x = embedding.Forward(ids, mask);
        for (int i = 0; i < layers.Count; i++) x = layers[i].Run(x, mask, sel[LayerGroup(i)][0]);
        var pooling = sel[PoolingGroup][0];
        if (pooling.Weights is { } w)
        {
            Tensor? acc = null;
            for (int p = 0; p < heads.Count; p++)
            {
                var y = heads[p].Forward(x, mask).mul(w[p]);
                acc = acc is null ? y : acc.Plus(y);
            }
            return acc!;
        }
        var logits = heads[pooling.Index].Forward(x, mask);
        return pooling.Scale is null ? logits : logits.mul(pooling.Scale);
    }

    /// <summary>The ops of the architecture's layers (layers past its depth off: they pass their input on) and its pooling.
    /// The supernet's layers read the previous node without skips, so an architecture's other inputs and its skips are not
    /// part of its path.</summary>
    public override Dictionary<string, int[]> PathOf(IArchitecture architecture)
    {
        var space = (TextSpace)Space;
        var choices = space.ToChoices(architecture);
        int depth = ((TextArchitecture)architecture).Layers.Count;
        var path = new Dictionary<string, int[]> { [PoolingGroup] = [choices[TextSpace.PoolingDecision]] };
        for (int i = 0; i < layers.Count; i++) path[LayerGroup(i)] = [i < depth ? choices[space.OpDecision(i)] : -1];
        return path;
    }
}

using NasOnnx.Networks;
using NasOnnx.OnnxGraph;
using NasOnnx.Ops.Sequence;

namespace NasOnnx.Spaces.Text;

/// <summary>
/// The network of a text architecture: token ids [N, L] (int64, pad 0, any length) -> embedding (node 0) -> per layer
/// LayerNorm(op(input node) + skip nodes) * mask (node i+1) -> masked pooling head -> logits. Activations stay [N, L, C].
/// Parameter names: embedding.*, layers.{i}.op.*, layers.{i}.norm.*, head.classifier.*.
/// </summary>
public sealed class TextNetwork : NasNetwork, ITokenNetwork
{
    private readonly TextEmbedding embedding;
    private readonly ModuleList<TextLayerModule> layers = new();
    private readonly TextHead head;
    private readonly TextArchitecture _arch;

    public TextNetwork(TextArchitecture arch) : base(nameof(TextNetwork), arch)
    {
        _arch = arch;
        var cfg = arch.Config;
        embedding = new TextEmbedding(cfg.Vocabulary, cfg.Embed, cfg.Width, cfg.Dropout);
        foreach (var op in arch.Ops) layers.Add(new TextLayerModule(op, cfg));
        head = new TextHead(cfg.Width, arch.Classes, arch.Pooling, cfg.Dropout);
        RegisterComponents();
    }

    public int Vocabulary => _arch.Config.Vocabulary;
    public int ReferenceLength => _arch.SequenceLength;

    public override Tensor forward(Tensor ids)
    {
        var mask = new SequenceMask(ids, embedding.DType);
        var nodes = new List<Tensor> { embedding.Forward(ids, mask) };
        for (int i = 0; i < layers.Count; i++)
        {
            var l = _arch.Layers[i];
            nodes.Add(layers[i].Forward(nodes[l.Input], l.Skips.Select(s => nodes[s]), mask));
        }
        return head.Forward(nodes[^1], mask);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        var mask = new OnnxSequenceMask(g, input);
        var nodes = new List<string> { embedding.Emit(g, input, mask, "embedding") };
        for (int i = 0; i < layers.Count; i++)
        {
            var l = _arch.Layers[i];
            nodes.Add(layers[i].Emit(g, nodes[l.Input], l.Skips.Select(s => nodes[s]).ToArray(), mask, $"layers.{i}"));
        }
        return head.Emit(g, nodes[^1], mask, "head");
    }
}

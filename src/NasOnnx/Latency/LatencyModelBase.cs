using NasOnnx.Architectures;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Latency;

/// <summary>
/// What the spaces' latency models share: candidates as the deduplicated union of the per-choice split (plus extras), and
/// table entries for the common parts (conv + BN, classifier head, node Add, cell op) keyed by shape and arguments.
/// </summary>
public abstract class LatencyModelBase(int batch) : ISpaceLatencyModel
{
    protected int Batch { get; } = batch;
    public abstract string Space { get; }
    public virtual bool ExactChoiceSplit => false;
    public abstract string Coverage { get; }
    public abstract IReadOnlyList<OpInstance> Instances(IArchitecture architecture);
    public abstract ChoiceInstances Choices();

    public virtual IReadOnlyList<OpInstance> Candidates()
    {
        var seen = new Dictionary<string, OpInstance>(StringComparer.Ordinal);
        var c = Choices();
        foreach (var (op, _) in c.Fixed) Dedupe(seen, op);
        foreach (var d in c.PerChoice) foreach (var ch in d) foreach (var (op, _) in ch) Dedupe(seen, op);
        foreach (var op in ExtraCandidates()) Dedupe(seen, op);
        return seen.Values.ToArray();
    }

    protected virtual IEnumerable<OpInstance> ExtraCandidates() => [];

    /// <summary>Output size of a padded k x k op (k / 2 padding) with the given stride.</summary>
    protected static int Out(int r, int stride) => (r - 1) / stride + 1;

    /// <summary>Adds <paramref name="op"/> unless an op with its key is already there; returns the one kept.</summary>
    protected static OpInstance Dedupe(Dictionary<string, OpInstance> seen, OpInstance op)
    {
        if (seen.TryGetValue(op.Key.Id, out var existing)) return existing;
        seen[op.Key.Id] = op;
        return op;
    }

    protected string S(int c, int r) => OpKey.Shape(Batch, c, r, r);

    protected OpInstance ConvBnOp(int cin, int cout, int k, int stride, int r, bool preRelu, Activation act, string op = "conv_bn") =>
        new(new OpKey(op, S(cin, r), S(cout, Out(r, stride)), $"k{k}_s{stride}_p{k / 2}{(preRelu ? "_prerelu" : "")}{(act == Activation.None ? "" : "_" + act.ToString().ToLowerInvariant())}"),
            () => new ConvBn(new ConvSpec(cin, cout, k, stride, k / 2), preRelu: preRelu, act: act));

    protected OpInstance Head(int c, int r, int classes) =>
        new(new OpKey("classifier", S(c, r), OpKey.Shape(Batch, classes), "gap_flatten_gemm"), () => new ClassifierHead(c, classes));

    protected OpInstance Add(int c, int r) => new(new OpKey("add", S(c, r), S(c, r), "2"), () => new AddNode());

    protected OpInstance CellOp(string op, int c, int r, int stride) =>
        new(new OpKey(op, S(c, r), S(c, Out(r, stride)), $"s{stride}"), () => CellOps.Create(op, c, stride),
            emitsNothing: op == CellOps.SkipConnect && stride == 1);

    /// <summary>The error for an architecture of another space than the model's.</summary>
    protected static NasOnnxException WrongSpace(IArchitecture a) =>
        new($"Architecture {a.ArchId} belongs to space '{a.Space}'; this latency table is for another space.", "Use the table profiled for the architecture's space.");
}

using NasOnnx.Ops;
using NasOnnx.Networks;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Darts;

/// <summary>
/// DARTS' evaluation network: stem conv 3C + BN, cells, GAP, linear. In training, drop-path can be applied to
/// every non-identity op (raised linearly over the epochs, <see cref="IEpochAware"/>); the auxiliary head of the
/// DARTS recipe lives outside it (<see cref="AuxiliaryTraining"/>) so that the saved weights and the ONNX file
/// hold exactly the inference network.
/// </summary>
public sealed class DartsNetwork : NasNetwork, IEpochAware, IAuxiliaryFeature
{
    private readonly ConvBn stem;
    private readonly ModuleList<DartsCell> cells = new();
    private readonly Linear classifier;
    private readonly List<long> _channelsAfter = [];

    public DartsNetwork(DartsArchitecture arch) : base(nameof(DartsNetwork), arch)
    {
        var layout = DartsLayout.Of(arch.Config, arch.Input.Height);
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, layout.StemWidth, 3, 1, 1));
        foreach (var cell in layout.Cells)
        {
            cells.Add(new DartsCell(cell.Reduction ? arch.Reduce : arch.Normal, cell.InPrevPrev, cell.InPrev, cell.C, cell.Reduction, cell.ReductionPrev));
            _channelsAfter.Add(cell.OutChannels);
        }
        classifier = nn.Linear(layout.OutChannels, arch.Classes);
        RegisterComponents();
        AuxiliaryChannels = _channelsAfter[AuxiliaryCell];
    }

    public override Tensor forward(Tensor x) => ForwardWithFeature(x, -1).Logits;

    /// <summary>Index of the cell whose output feeds the auxiliary head: the second reduction cell (at 2/3 depth), as in DARTS.</summary>
    public int AuxiliaryCell => DartsArchitecture.ReductionCells(cells.Count).DefaultIfEmpty(cells.Count - 1).Max();

    /// <summary>Channels of <see cref="AuxiliaryCell"/>'s output.</summary>
    public long AuxiliaryChannels { get; private set; }

    /// <summary>The logits and the output of cell <paramref name="featureCell"/> (null when -1).</summary>
    public (Tensor Logits, Tensor? Feature) ForwardWithFeature(Tensor x, int featureCell)
    {
        var s0 = stem.call(x);
        var s1 = s0;
        Tensor? feature = null;
        for (int i = 0; i < cells.Count; i++)
        {
            (s0, s1) = (s1, cells[i].call(s0, s1));
            if (i == featureCell) feature = s1;
        }
        return (Classify(s1, classifier), feature);
    }

    public void OnEpochStart(int epoch, int epochs, double dropPath)
    {
        double p = dropPath * epoch / Math.Max(1, epochs);
        foreach (var cell in cells) cell.DropPathProbability = p;
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string s0 = stem.EmitOnnx(g, input, "stem");
        string s1 = s0;
        for (int i = 0; i < cells.Count; i++) (s0, s1) = (s1, cells[i].EmitOnnx(g, s0, s1, $"cells.{i}"));
        return EmitClassify(g, s1, classifier);
    }
}

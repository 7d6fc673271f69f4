using NasOnnx.Networks;
using NasOnnx.Ops;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Nb201;

/// <summary>
/// NAS-Bench-201's skeleton: stem conv C + BN; N cells at C; residual reduction to 2C; N cells; reduction to 4C;
/// N cells; BN + ReLU; GAP; linear.
/// </summary>
public sealed class Nb201Network : NasNetwork
{
    private readonly ConvBn stem;
    private readonly ModuleList<OpModule> cells = new();
    private readonly BatchNorm2d lastact;
    private readonly Linear classifier;

    public Nb201Network(Nb201Architecture arch) : base(nameof(Nb201Network), arch)
    {
        var stages = Nb201Layout.Stages(arch.Config, arch.Input.Height);
        stem = new ConvBn(new ConvSpec(arch.Input.Channels, stages[0].Width, 3, 1, 1));
        for (int s = 0; s < stages.Count; s++)
        {
            var stage = stages[s];
            if (s > 0) cells.Add(new ResidualReduction(stages[s - 1].Width, stage.Width));
            for (int i = 0; i < arch.Config.CellsPerStage; i++) cells.Add(new Nb201Cell(arch.Edges, stage.Width));
        }
        int c = stages[^1].Width;
        lastact = nn.BatchNorm2d(c);
        classifier = nn.Linear(c, arch.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = stem.call(x);
        foreach (var cell in cells) x = cell.call(x);
        return Classify(nn.functional.relu(lastact.Normalize(x)), classifier);
    }

    public override string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        string x = stem.EmitOnnx(g, input, "stem");
        for (int i = 0; i < cells.Count; i++) x = cells[i].EmitOnnx(g, x, $"cells.{i}");
        x = g.Relu(g.BatchNorm(x, lastact, "lastact"), "lastact.relu");
        return EmitClassify(g, x, classifier);
    }
}

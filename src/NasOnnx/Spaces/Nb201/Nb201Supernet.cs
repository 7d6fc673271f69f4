using NasOnnx.Networks;
using NasOnnx.Supernets;
using NasOnnx.Ops;
using NasOnnx.Architectures;
using NasOnnx.OnnxGraph;

namespace NasOnnx.Spaces.Nb201;

/// <summary>
/// NAS-Bench-201's skeleton with one shared searched cell: 6 mixed edges over the 5 ops (affine-free BN); residual
/// reductions as in the discrete network. Alpha group "cell" (6 x 5).
/// </summary>
public sealed class Nb201Supernet : Supernet
{
    private readonly ConvBn stem;
    private readonly ModuleList<nn.Module> cells = new();
    private readonly BatchNorm2d lastact;
    private readonly Linear classifier;

    public Nb201Supernet(Nb201Space space, int seed = 0) : base(nameof(Nb201Supernet), space)
    {
        var o = space.Options;
        var stages = Nb201Layout.Stages(space.Config, o.Resolution);
        stem = new ConvBn(new ConvSpec(o.Channels, stages[0].Width, 3, 1, 1));
        for (int s = 0; s < stages.Count; s++)
        {
            var stage = stages[s];
            if (s > 0) cells.Add(new ResidualReduction(stages[s - 1].Width, stage.Width));
            for (int i = 0; i < space.Config.CellsPerStage; i++) cells.Add(new Nb201SearchCell(stage.Width));
        }
        int c = stages[^1].Width;
        lastact = nn.BatchNorm2d(c);
        classifier = nn.Linear(c, o.Classes);
        RegisterComponents();
        NetworkWeights.Initialize(this, seed);
        Arch.AddAlpha("cell", Nb201Architecture.EdgeOrder.Select(e => $"{e.To}<-{e.From}").ToArray(), Nb201Space.Ops, new Generator((ulong)seed + 1));
    }

    public override Tensor forward(Tensor x)
    {
        var sel = Select()["cell"];
        x = stem.call(x);
        foreach (var cell in cells)
            using (torch.NewDisposeScope())
                x = (cell is Nb201SearchCell sc ? sc.Run(x, sel) : ((ResidualReduction)cell).call(x)).MoveToOuterDisposeScope();
        return classifier.call(nn.functional.adaptive_avg_pool2d(nn.functional.relu(lastact.Normalize(x)), 1).flatten(1));
    }

    public override Dictionary<string, int[]> PathOf(IArchitecture architecture)
    {
        var a = architecture as Nb201Architecture ?? throw new ArgumentException("not a NAS-Bench-201 architecture", nameof(architecture));
        return new Dictionary<string, int[]> { ["cell"] = a.Edges.Select(e => Nb201Space.Ops.ToList().IndexOf(e)).ToArray() };
    }
}

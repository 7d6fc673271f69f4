using NasOnnx.Search;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Architectures;
using NasOnnx.Supernets;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Turns a finished search into one architecture JSON (architecture.json), by the strategy's rule.</summary>
public sealed class DeriveStage : IStage
{
    public string Kind => "derive";
    public string Description => "Derive one discrete architecture from a search (best evaluated, most likely, or strongest weights).";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Choice("rule", "auto", "auto: the strategy's own rule; best: best evaluated; most-likely: argmax of the policy or weights", "auto", "best", "most-likely"),
        ParamSpec.Int("max_skip", -1, "DARTS: keep at most this many skip_connect per cell (skip-collapse mitigation); -1: no cap"),
    ];

    public IReadOnlyList<InputSpec> Inputs { get; } = [new("search", "a search stage")];

    public void Run(StageContext context)
    {
        string dir = context.Input("search");
        var outcome = SearchOutcome.Load(dir);
        var space = SpaceRegistry.Create(outcome.Space, outcome.SpaceOptions ?? SpaceOptionsOf(SpaceRegistry.Parse(outcome.Best.GetRawText())));
        var strategy = StrategyCatalog.Get(outcome.Strategy);
        var arch = strategy.Derive(outcome, space, new DeriveOptions { Rule = context.RequiredString("rule"), MaxSkip = (int)context.Int("max_skip") });
        AtomicWrite.Text(context.OutputPath(ArchitectureSource.FileName), arch.ToJson());
        context.Log.Info($"derived {arch.Space}/{arch.ArchId} by rule '{context.RequiredString("rule")}' from {outcome.Strategy}");
    }

    private static SpaceOptions SpaceOptionsOf(IArchitecture arch) => arch is Architecture a
        ? new SpaceOptions(a.Input.Channels, a.Input.Height, a.Classes)
        : SpaceOptions.FashionMnist;
}

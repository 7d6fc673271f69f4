using NasOnnx.Latency;
using NasOnnx.Search;
using NasOnnx.Spaces;

namespace NasOnnx.Pipeline.Stages;

/// <summary>Runs a search strategy over a space on the prepared data; writes search.json plus the strategy's logs.</summary>
public sealed class SearchStage : IStage
{
    public string Kind => "search";
    public string Description => "Search an architecture space with a strategy (multi-trial or one-shot); resumable after a kill.";
    public int Version => 1;

    public IReadOnlyList<ParamSpec> Params { get; } = BuildParams();

    public IReadOnlyList<InputSpec> Inputs { get; } =
    [
        new("data", "a prepare-data stage"),
        new("latency", "a profile-latency stage over the same space and width/depth: latency objectives and constraints", Required: false),
    ];

    private static IReadOnlyList<ParamSpec> BuildParams()
    {
        var common = new List<ParamSpec>
        {
            ParamSpec.Choice("space", "darts", "the search space", [.. SpaceRegistry.Names]),
            ParamSpec.Choice("strategy", StrategyCatalog.All().FirstOrDefault()?.Name ?? "random", "the search strategy",
                [.. StrategyCatalog.All().Select(s => s.Name).DefaultIfEmpty("random")]),
            ParamSpec.Int("width", 0, "base width of the space's networks (0: the space's default)"),
            ParamSpec.Int("depth", 0, "depth of the space's networks: cells (darts), cells per stage (nb201), max layers (macro); 0: default"),
        };
        foreach (var p in StrategyCatalog.All().SelectMany(s => s.Params))
            if (common.All(c => c.Name != p.Name)) common.Add(p);
        return common;
    }

    public void Validate(StageContext context)
    {
        var strategy = StrategyCatalog.Get(context.RequiredString("strategy"));
        string space = context.RequiredString("space");
        if (strategy.Spaces is { } spaces && !spaces.Contains(space))
            throw context.Error($"strategy '{strategy.Name}' cannot search the '{space}' space", $"use one of: {string.Join(", ", spaces)}", context.PipelineFile);
        if (strategy is Search.OneShot.OneShotStrategy oneShot) oneShot.CheckLatencyInput(context, context.HasInput("latency"));
    }

    public void Run(StageContext context)
    {
        var prepared = PreparedDataset.Load(context.Input("data"));
        if (prepared.Height != prepared.Width)
            throw context.Error($"the spaces need square images, the dataset has {prepared.Height}x{prepared.Width}");
        var options = new SpaceOptions(prepared.Channels, prepared.Height, prepared.ClassNames.Count,
            context.Int("width") > 0 ? (int)context.Int("width") : null, context.Int("depth") > 0 ? (int)context.Int("depth") : null);
        string spaceName = context.RequiredString("space");
        var strategy = StrategyCatalog.Get(context.RequiredString("strategy"));
        var space = SpaceRegistry.Create(spaceName, options);
        var search = new SearchContext
        {
            Stage = context,
            Space = space,
            SpaceName = spaceName,
            SpaceOptions = options,
            Data = new Lazy<LoadedData>(prepared.LoadData),
            Latency = context.HasInput("latency") ? LoadPredictor(context, spaceName, options) : null,
        };
        Directory.CreateDirectory(search.StateDir);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = strategy.Run(search);
        outcome = outcome with { Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1), SpaceOptions = options };
        outcome.Save(context.OutputDir);
        context.Log.Info($"{strategy.Name} over {spaceName}: best {outcome.Best.GetProperty("space").GetString()} after {outcome.Evaluations} evaluations");
    }

    /// <summary>The profile-latency stage's predictor; refused when it was built for another space or network size.</summary>
    private static LatencyPredictor LoadPredictor(StageContext context, string spaceName, SpaceOptions options)
    {
        string dir = context.Input("latency");
        var predictor = LatencyPredictor.Load(dir, out _, out var profiled);
        if (predictor.Model.Space != spaceName || profiled != options)
            throw context.Error($"the latency input ({dir}) was profiled for space '{predictor.Model.Space}' with {profiled}, the search runs space '{spaceName}' with {options}",
                "give the profile-latency stage the same space, width and depth as the search stage (and the same data input)", context.PipelineFile);
        return predictor;
    }
}

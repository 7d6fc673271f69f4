using NasOnnx.Latency;
using NasOnnx.Search;
using NasOnnx.Search.Latency;
using NasOnnx.Spaces;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Architectures;
using NasOnnx.Search.MultiTrial;

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
        new("latency", "a profile-latency stage over the same space and width/depth (and text ops/poolings, or all of them): latency objectives and constraints", Required: false),
    ];

    private static IReadOnlyList<ParamSpec> BuildParams()
    {
        var common = new List<ParamSpec>
        {
            ParamSpec.Choice("space", SpaceRegistry.DefaultSearchSpace, "the search space", [.. SpaceRegistry.Names]),
            ParamSpec.Choice("strategy", StrategyCatalog.All().FirstOrDefault()?.Name ?? "random", "the search strategy",
                [.. StrategyCatalog.All().Select(s => s.Name).DefaultIfEmpty("random")]),
            ParamSpec.Int("width", 0, "base width of the space's networks (0: the space's default)"),
            ParamSpec.Int("depth", 0, "depth of the space's networks: cells (darts), cells per stage (nb201), max layers (macro); 0: default"),
            ParamSpec.Int(SearchLengthParam, 0, "text data: candidates train and are scored on the first N tokens of each text (0: the prepared " +
                "length); architectures, latency and the retrain keep the prepared length"),
        };
        common.AddRange(DataSpaceOptions.TextSpaceParams);
        foreach (var p in StrategyCatalog.All().SelectMany(s => s.Params))
            if (common.All(c => c.Name != p.Name)) common.Add(p);
        return common;
    }

    /// <summary>The initial architectures' files: their content is part of the stage's key.</summary>
    public IEnumerable<string> ExternalDependencies(StageContext context) => InitialArchitectures.Files(context, context.ResolvePath);

    public void Validate(StageContext context)
    {
        var strategy = StrategyCatalog.Get(context.RequiredString("strategy"));
        if (strategy is not Search.MultiTrial.MultiTrialStrategy && InitialArchitectures.Files(context, context.ResolvePath).Count > 0)
            throw context.Error($"{InitialArchitectures.Param} are evaluated first by a multi-trial search; strategy '{strategy.Name}' trains one supernet",
                $"remove {InitialArchitectures.Param}, or use random, evolution or reinforce", context.PipelineFile);
        string space = context.RequiredString("space");
        if (strategy.Spaces is { } spaces && !spaces.Contains(space))
            throw context.Error($"strategy '{strategy.Name}' cannot search the '{space}' space", $"use one of: {string.Join(", ", spaces)}", context.PipelineFile);
        DataSpaceOptions.ValidateTextParams(context, space);
        if (strategy is not Search.MultiTrial.MultiTrialStrategy && context.RequiredString("executor") != Search.Execution.ExecutorSettings.Local)
            throw context.Error($"executor '{context.RequiredString("executor")}' spreads the trials of a multi-trial search; strategy '{strategy.Name}' trains one supernet in one process",
                "leave executor out (or set local) for one-shot strategies; to run the whole search on a cluster node, give the stage a resources: block", context.PipelineFile);
        CheckPublishedPredictor(context, space);
        strategy.Validate(context, context.HasInput("latency"));
    }

    /// <summary>latency_target (ms, 0: none) and latency_margin, when a strategy declares them.</summary>
    private static (double Target, double Margin) TargetOf(StageContext context) =>
        (context.Params.TryGetValue("latency_target", out var t) && t is double target ? target : 0,
         context.Params.TryGetValue("latency_margin", out var m) && m is double margin && margin > 0 ? margin : 1.0);

    /// <summary>
    /// Before any stage runs: when the latency input's profile-latency stage has already published a predictor for this
    /// space and width/depth (e.g. a re-run with another --set latency_target), an unreachable target fails now instead of
    /// after the stages before the search. On a first run there is nothing published yet; <see cref="Run"/> checks again.
    /// </summary>
    private static void CheckPublishedPredictor(StageContext context, string spaceName)
    {
        var (target, margin) = TargetOf(context);
        if (target <= 0 || !context.HasInput("latency")) return;
        string dir = context.Input("latency");
        if (!File.Exists(Path.Combine(dir, LatencyPredictor.FileName))) return;
        LatencyPredictor predictor;
        SpaceOptions profiled;
        ISearchSpace space;
        try
        {
            predictor = SpaceLatency.LoadPredictor(dir, out space, out profiled);
        }
        catch (NasOnnxException)
        {
            return; // damaged or old: the profile stage re-runs or Run reports it
        }
        int? Opt(string name) => context.Int(name) > 0 ? (int)context.Int(name) : null;
        if (predictor.Model.Space != spaceName || profiled.Width != Opt("width") || profiled.Depth != Opt("depth")) return;
        try
        {
            // the search's op/pooling sets, which may be fewer than the profile's: the fastest architecture is the search space's
            var options = profiled with { Ops = DataSpaceOptions.Names(context, DataSpaceOptions.OpsParam), Poolings = DataSpaceOptions.Names(context, DataSpaceOptions.PoolingsParam) };
            if (options != profiled)
            {
                space = SpaceRegistry.Create(spaceName, options);
                if (SpaceLatency.ForSpace(predictor, profiled, space, options) is not { } adapted) return; // Run refuses it
                predictor = adapted;
            }
        }
        catch (NasOnnxException)
        {
            return; // bad ops or image options: Run reports them
        }
        try
        {
            LatencyTargetCheck.EnsureReachable(space, predictor, target, margin);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message + $" (checked before any stage ran, with the predictor already published in {dir})",
                e.Fix + $"; if you changed the profile-latency stage since, delete {dir} so it is profiled again first", context.PipelineFile);
        }
    }

    public const string SearchLengthParam = "search_max_length";

    /// <summary>
    /// The search's context from the stage's: prepared data (cut to search_max_length), space, latency predictor (an
    /// unreachable target fails here). A trial worker (`nasonnx trial`) rebuilds the same context from the same stage.
    /// </summary>
    public static SearchContext CreateSearchContext(StageContext context)
    {
        var prepared = PreparedDataset.Load(context.Input("data"));
        int searchLength = (int)context.Int(SearchLengthParam);
        if (searchLength != 0 && (!prepared.IsText || searchLength < 0))
            throw context.Error(prepared.IsText ? $"{SearchLengthParam} is {searchLength}" : $"{SearchLengthParam} cuts token sequences, the data in {context.Input("data")} is images",
                prepared.IsText ? "use a positive number of tokens, or 0 for the prepared length" : $"leave {SearchLengthParam} out", context.PipelineFile);
        if (searchLength > 0 && searchLength < prepared.Width)
            context.Log.Info($"candidates train and are scored on the first {searchLength} of the {prepared.Width} tokens of each text");
        var options = DataSpaceOptions.From(context, prepared,
            context.Int("width") > 0 ? (int)context.Int("width") : null, context.Int("depth") > 0 ? (int)context.Int("depth") : null);
        string spaceName = context.RequiredString("space");
        ISearchSpace space;
        try
        {
            space = SpaceRegistry.Create(spaceName, options);
        }
        catch (NasOnnxException e)
        {
            throw context.Error(e.Message, e.Fix, context.PipelineFile);
        }
        var search = new SearchContext
        {
            Params = context, Log = context.Log, Seed = context.Seed, Cancellation = context.Cancellation,
            StateDir = Path.Combine(context.WorkDir, "state"), OutputDir = context.OutputDir,
            Space = space,
            SpaceName = spaceName,
            SpaceOptions = options,
            Data = new Lazy<LoadedData>(() => searchLength > 0 ? prepared.LoadData().Truncated(searchLength) : prepared.LoadData()),
            Latency = context.HasInput("latency") ? LoadPredictor(context, space, options) : null,
            WorkerContext = StageContextSpec.Of(context).ToJson(),
            InitialArchitectureFiles = InitialArchitectures.Files(context, context.ResolvePath),
        };
        // An unreachable target fails here, before any data is loaded or any candidate trained.
        if (TargetOf(context) is (> 0, var margin) && search.Latency is { } predictor)
        {
            try
            {
                var fastest = LatencyTargetCheck.EnsureReachable(space, predictor, TargetOf(context).Target, margin);
                context.Log.Info($"latency target {TargetOf(context).Target:0.###} ms: reachable (fastest architecture predicted at {fastest.Ms:0.000} ms, {fastest.Method})");
            }
            catch (NasOnnxException e)
            {
                throw context.Error(e.Message, e.Fix, context.PipelineFile);
            }
        }
        return search;
    }

    public void Run(StageContext context)
    {
        var search = CreateSearchContext(context);
        var strategy = StrategyCatalog.Get(context.RequiredString("strategy"));
        string spaceName = search.SpaceName;
        var options = search.SpaceOptions;
        Directory.CreateDirectory(search.StateDir);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = strategy.Run(search);
        outcome = outcome with { Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1), SpaceOptions = options };
        outcome.Save(context.OutputDir);
        context.Log.Info($"{strategy.Name} over {spaceName}: best {outcome.Best.GetProperty("space").GetString()} after {outcome.Evaluations} evaluations");
    }

    /// <summary>The profile-latency stage's predictor over <paramref name="space"/>; refused when it was built for another space or
    /// network size, or for text ops/poolings that do not cover the search's. A profile over more ops than the search (all
    /// ops, say) serves it through the search space's latency model, so per-choice latencies follow the search's decisions.</summary>
    private static LatencyPredictor LoadPredictor(StageContext context, ISearchSpace space, SpaceOptions options)
    {
        string dir = context.Input("latency");
        var predictor = SpaceLatency.LoadPredictor(dir, out _, out var profiled);
        if (SpaceLatency.ForSpace(predictor, profiled, space, options) is { } usable)
        {
            if (usable != predictor) context.Log.Info($"latency: the table of {dir} (ops {profiled.Ops ?? "all"}, poolings {profiled.Poolings ?? "all"}) serves the search's ops {options.Ops ?? "all"}, poolings {options.Poolings ?? "all"}");
            return usable;
        }
        throw context.Error($"the latency input ({dir}) was profiled for space '{predictor.Model.Space}' with {profiled}, the search runs space '{space.Name}' with {options}",
            "give the profile-latency stage the same space, width and depth as the search stage (and the same data input), and the same text ops and poolings " +
            "(or more: a profile over all ops serves a search over some)", context.PipelineFile);
    }
}

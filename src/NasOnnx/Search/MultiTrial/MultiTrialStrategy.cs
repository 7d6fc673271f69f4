using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Core;
using NasOnnx.Search.Latency;
using NasOnnx.Supernets;
using NasOnnx.Architectures;
using NasOnnx.Plots;
using NasOnnx.Runtime;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// What random search, evolution and REINFORCE share as <see cref="ISearchStrategy"/>s: the params read once into
/// <see cref="MultiTrialSettings"/>, the evaluator (<see cref="TrialEvaluatorBuilder"/>: stand-alone training, cached by
/// ArchId in the state folder, optional successive halving), the loop (<see cref="MultiTrialRunner"/>), search_log.csv,
/// search_progress.png, search.json, the Pareto front (<see cref="ParetoFrontService"/>), the final candidates
/// (<see cref="FinalCandidateMeasurement"/>) and deriving. A subclass checks the space capability it needs and creates
/// its <see cref="ITrialProposer"/>.
/// </summary>
public abstract class MultiTrialStrategy : ISearchStrategy
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>The derive rule `auto` resolves to: "best" or "most-likely".</summary>
    protected virtual string AutoRule => "best";

    public IReadOnlyList<ParamSpec> Params => [.. MultiTrialSettings.Params, .. OwnParams];

    protected abstract IReadOnlyList<ParamSpec> OwnParams { get; }

    /// <summary>Tests: replaces the stand-alone training evaluator (it is still cached).</summary>
    public Func<SearchContext, IEvaluator>? EvaluatorFactory { get; init; }

    /// <summary>Checks the space's capability and builds the proposer from the settings.</summary>
    protected abstract ITrialProposer CreateProposer(ISearchSpace space, MultiTrialSettings settings);

    /// <summary>What only this strategy puts into search.json's payload (policy, population ...).</summary>
    protected virtual void AddPayload(ITrialProposer proposer, JsonObject payload) { }

    /// <summary>The error for a space without the capability this strategy needs.</summary>
    protected NasOnnxException Needs(ISearchSpace space, string capability) =>
        new($"strategy '{Name}' needs a space with {capability}; space '{space.Name}' has none",
            $"use strategy 'random' (any space), or a space with {capability} (darts, nb201, chain, macro, text)");

    public SearchOutcome Run(SearchContext context)
    {
        var settings = MultiTrialSettings.FromParams(context.Params, hasLatencyPredictor: context.Latency is not null);
        var ownProposer = CreateProposer(context.Space, settings);
        var latency = settings.Latency;
        var objective = settings.Objective;
        var seeds = InitialArchitectures.Load(context.Space, context.InitialArchitectureFiles);
        ITrialProposer proposer;
        try
        {
            proposer = seeds.Count == 0 && settings.InitialMutations == 0 ? ownProposer : new SeededProposer(ownProposer, seeds, context.Space, settings.InitialMutations);
        }
        catch (NasOnnxException e)
        {
            throw context.Params.Error(e.Message, e.Fix, context.Params.PipelineFile);
        }
        // the seeds' ids, not only their file names: a search from edited files is not resumed from the old ones' trials
        string fingerprint = Fingerprint(context, settings) + (seeds.Count == 0 ? "" : "|seeds=" + string.Join(",", seeds.Select(s => s.ArchId)));
        // before the evaluation cache is read: results of a search with other params must not be taken as this one's
        SearchStateFolder.Claim(context.StateDir, fingerprint, context.Log.Warn);
        var evaluator = TrialEvaluatorBuilder.Build(context, settings, EvaluatorFactory);
        var filter = PreRejection(context, latency);
        foreach (var (seed, file) in seeds.Zip(context.InitialArchitectureFiles))
            context.Log.Info($"initial architecture {seed.ArchId} from {file}" + (filter?.Check(seed) is { } refused
                ? $": refused before training ({refused}), it will not be evaluated" : ": evaluated first"));
        if (settings.InitialMutations > 0)
            context.Log.Info($"then {settings.InitialMutations} mutations of the initial architectures are trained before {Name} proposes");
        var execution = settings.Execution;
        int threads = execution.TrialThreads > 0 ? execution.TrialThreads : Math.Max(1, TorchRuntime.Threads);
        using var executor = EvaluatorFactory is null ? execution.Create(context, evaluator, threads) : null;
        if (executor is not null)
            context.Log.Info($"trials run on the {executor.Name} executor: up to {execution.MaxConcurrent} at once, {threads} thread{(threads == 1 ? "" : "s")} each, " +
                             $"{execution.Retries} retr{(execution.Retries == 1 ? "y" : "ies")} per trial");
        else if (execution.MaxConcurrent > 1)
            context.Log.Info($"max_concurrent {execution.MaxConcurrent} on the local executor: proposals are made {execution.MaxConcurrent} ahead (as a parallel executor would), trials run one after another");
        // local trials run in this process with the trial thread count; the pipeline's comes back afterwards
        int pipelineThreads = TorchRuntime.Threads;
        bool switchThreads = executor is null && execution.TrialThreads > 0 && pipelineThreads > 0 && execution.TrialThreads != pipelineThreads;
        if (switchThreads) TorchRuntime.Initialize(execution.TrialThreads);
        MultiTrialResult result;
        try
        {
            result = new MultiTrialRunner(context.Space, proposer, evaluator, objective, new MultiTrialOptions
            {
                Trials = settings.Trials,
                Seed = context.Seed,
                StateDir = context.StateDir,
                Fingerprint = fingerprint,
                HalvingEta = settings.HalvingEta,
                Filter = filter,
                RetryFailed = settings.RetryFailed,
                Executor = executor,
                MaxConcurrent = execution.MaxConcurrent,
                Retries = execution.Retries,
                Log = context.Log,
                Cancellation = context.Cancellation,
            }).Run();
        }
        finally
        {
            if (switchThreads) TorchRuntime.Initialize(pipelineThreads);
        }

        SearchLog.Write(Path.Combine(context.OutputDir, SearchLog.FileName), result.Trials);
        Execution.TrialTiming.Write(Path.Combine(context.OutputDir, Execution.TrialTiming.FileName), result.Timings);
        SearchPlot.Write(Path.Combine(context.OutputDir, SearchPlot.FileName), result.Trials.Where(t => t.Rung == 0 && !t.Failed).Select(t => t.Score).ToList(),
            objective.Name, $"{SearchTitle(context)}: {result.Trials.Count(t => t.Rung == 0)} architectures");
        var payload = new JsonObject
        {
            ["objective"] = objective.Name,
            ["proposals"] = result.Proposals,
            ["repeats"] = result.Repeats,
            ["rejections"] = result.Rejections,
            ["failed"] = result.Trials.Count(t => t.Failed),
            ["best_rung"] = result.Best.Rung,
            ["top"] = new JsonArray(result.Trials.Where(t => t.Rung == result.Best.Rung && !t.Failed).OrderByDescending(t => t.Score).ThenBy(t => t.Number).Take(10)
                .Select(t => (JsonNode)new JsonObject { ["trial"] = t.Number, ["arch_id"] = t.ArchId, ["score"] = t.Score }).ToArray()),
        };
        AddPayload(ownProposer, payload);
        if (seeds.Count > 0) payload["initial_architectures"] = new JsonArray(seeds.Select(s => (JsonNode)JsonValue.Create(s.ArchId)!).ToArray());
        if (result.Rejections > 0)
            context.Log.Info($"{result.Rejections} proposals were rejected before training (predicted {latency.RejectedRange}); they did not count against the {settings.Trials} trials");

        // What is preferred, best first: the objective's ranking, or for a Pareto search the front (under the limit by accuracy, then the rest by latency).
        var archOf = new Dictionary<string, IArchitecture>(StringComparer.Ordinal);
        IArchitecture Arch(Trial t) => archOf.TryGetValue(t.ArchId, out var a) ? a : archOf[t.ArchId] = context.Space.Parse(t.Architecture);
        IReadOnlyList<Trial> preferred = result.Trials.Where(t => t.Rung == result.Best.Rung && !t.Failed).OrderByDescending(t => t.Score).ThenBy(t => t.Number).ToList();
        if (latency.Pareto)
        {
            var selection = new ParetoFrontService(context.OutputDir, context.StateDir, context.Seed, context.Log).Publish(result.Trials, latency, SearchTitle(context), Arch);
            selection.AddTo(payload);
            preferred = selection.Preferred;
        }
        var best = preferred[0];
        var bestObjectives = new SortedDictionary<string, double>(best.Objectives, StringComparer.Ordinal) { ["score"] = best.Score };

        if (latency.HasTarget)
        {
            payload["latency"] = new JsonObject
            {
                ["target_ms"] = latency.TargetMs,
                ["source"] = latency.Source,
                ["constraint"] = latency.Hard ? "hard" : "soft",
                ["margin"] = latency.Margin,
                ["predictor_device"] = context.Latency?.Table.Fingerprint.ToString(),
            };
            // a policy's most likely architecture was never measured against the target: derive the measured winner
            payload["derive_auto_rule"] = "best";
        }
        if (latency.HasTarget && latency.FinalCandidates > 0)
        {
            var finalists = new FinalCandidateMeasurement(context.OutputDir, context.Seed, context.Log).Measure(preferred, latency, context.Latency, Arch);
            best = finalists.Chosen.Trial;
            bestObjectives = finalists.BestObjectives();
            payload["final"] = finalists.ToJson();
        }

        int failed = result.Trials.Count(t => t.Failed);
        if (failed > 0)
            context.Log.Warn($"{failed} of {result.Trials.Count} trials diverged and were left out (status and reason in search_log.csv); " +
                           $"set {MultiTrialSettings.RetryFailedParam}: true to train them again when this search resumes");
        context.Log.Info($"best {best.ArchId} {objective.Name} {best.Score:0.0000} (trial {best.Number}); " +
            $"{result.Trials.Count} evaluations, {result.Repeats} repeated proposals skipped, {result.Rejections} rejected before training, {evaluator.Hits} cached results reused");
        return new SearchOutcome
        {
            Strategy = Name,
            Space = context.SpaceName,
            Best = JsonDocument.Parse(best.Architecture).RootElement.Clone(),
            BestObjectives = bestObjectives,
            Evaluations = result.Trials.Count,
            Payload = JsonDocument.Parse(payload.ToJsonString(PlainJson.Options)).RootElement.Clone(),
        };
    }

    private string SearchTitle(SearchContext context) => $"{Name} over {context.SpaceName}";

    /// <summary>With a latency target and a predictor: candidates predicted over T x margin (or under T x floor) are refused before training.</summary>
    private static LatencyFilter? PreRejection(SearchContext context, LatencySettings latency)
    {
        if (!latency.HasTarget || context.Latency is not { } predictor) return null;
        context.Log.Info($"pre-rejection: candidates predicted {latency.RejectedRange} are refused before training " +
                         $"(latency_target {latency.TargetMs:0.###} ms x margin {latency.Margin:0.###}{(latency.Floor > 0 ? $", x floor {latency.Floor:0.###}" : "")})");
        return new LatencyFilter(predictor, latency.LimitMs, latency.FloorMs);
    }

    /// <summary>Params (but retry_failed), seed, strategy and space: a saved state from another configuration is not resumed.</summary>
    private string Fingerprint(SearchContext context, MultiTrialSettings settings) =>
        $"{Name}|{context.SpaceName}|{context.SpaceOptions}|{context.Seed}|{settings.ParamsFingerprint}";

    public IArchitecture Derive(SearchOutcome outcome, ISearchSpace space, DeriveOptions options)
    {
        // with a latency target the search names the rule: the measured winner (a policy's argmax was never measured)
        string auto = outcome.Payload is { } p && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("derive_auto_rule", out var r) ? r.GetString() ?? AutoRule : AutoRule;
        string rule = options.Rule == "auto" ? auto : options.Rule;
        return rule switch
        {
            "best" => space.Parse(outcome.Best.GetRawText()),
            "most-likely" => MostLikely(outcome, space),
            _ => throw new NasOnnxException($"unknown derive rule '{options.Rule}'", "use rule: auto, best or most-likely"),
        };
    }

    /// <summary>The policy's argmax; strategies without a policy refuse.</summary>
    protected virtual IArchitecture MostLikely(SearchOutcome outcome, ISearchSpace space) =>
        throw new NasOnnxException($"strategy '{Name}' has no policy to take the most likely architecture from",
            "use rule: best (or auto) for random search and evolution; most-likely is for reinforce and one-shot strategies");
}

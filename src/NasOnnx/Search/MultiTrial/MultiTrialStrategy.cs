using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Onnx;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using NasOnnx.Search.Latency;
using NasOnnx.Spaces;
using NasOnnx.Training;
using NasOnnx.Core;
using NasOnnx.Plots;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// What random search, evolution and REINFORCE share as <see cref="ISearchStrategy"/>s: the budget and trial-training
/// params, the evaluator (stand-alone training, cached by ArchId in the state folder, optional successive halving),
/// the objective, the loop (<see cref="MultiTrialRunner"/>), search_log.csv, search_progress.png, search.json and
/// deriving. A subclass checks the space capability it needs and creates its <see cref="ITrialProposer"/>.
/// </summary>
public abstract class MultiTrialStrategy : ISearchStrategy
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>The derive rule `auto` resolves to: "best" or "most-likely".</summary>
    protected virtual string AutoRule => "best";

    public IReadOnlyList<ParamSpec> Params => [.. CommonParams, .. OwnParams];

    protected abstract IReadOnlyList<ParamSpec> OwnParams { get; }

    /// <summary>Tests: replaces the stand-alone training evaluator (it is still cached).</summary>
    public Func<SearchContext, IEvaluator>? EvaluatorFactory { get; init; }

    /// <summary>Not part of the state's fingerprint: turning it on resumes the same search instead of starting over.</summary>
    public const string RetryFailedParam = "retry_failed";

    public static IReadOnlyList<ParamSpec> CommonParams { get; } =
    [
        ParamSpec.Int("trials", 20, "multi-trial budget: distinct architectures evaluated (a repeat is never trained twice)"),
        ParamSpec.Int("trial_epochs", 1, "multi-trial: epochs each architecture trains for its evaluation"),
        ParamSpec.Float("trial_data_fraction", 0.25, "multi-trial: share of the training images each evaluation trains on"),
        ParamSpec.Int("trial_batch_size", 128, "multi-trial: batch size of evaluation training"),
        ParamSpec.Float("trial_lr", 0.05, "multi-trial: peak SGD learning rate of evaluation training (cosine to 0)"),
        ParamSpec.Float("trial_weight_decay", 5e-4, "multi-trial: weight decay of evaluation training"),
        ParamSpec.IntList("halving_epochs", [], "multi-trial successive halving: epochs per rung, e.g. [1, 2, 4]; the best 1/halving_eta of a rung goes on to the next (empty: off)"),
        ParamSpec.Int("halving_eta", 2, "multi-trial successive halving: keep the best 1/eta of each rung (2: the better half)"),
        ParamSpec.Bool(RetryFailedParam, false, "multi-trial: when a killed or failed search resumes, train the trials that diverged again " +
            "(e.g. after switching to NASONNX_NUMERICS=safe); by default a diverged trial stays failed"),
        .. Objectives.Params,
        .. LatencySettings.Params,
    ];

    /// <summary>Checks the space's capability and builds the proposer from the stage params.</summary>
    protected abstract ITrialProposer CreateProposer(ISearchSpace space, IParamReader stage);

    /// <summary>What only this strategy puts into search.json's payload (policy, population ...).</summary>
    protected virtual void AddPayload(ITrialProposer proposer, JsonObject payload) { }

    /// <summary>The error for a space without the capability this strategy needs.</summary>
    protected NasOnnxException Needs(ISearchSpace space, string capability) =>
        new($"strategy '{Name}' needs a space with {capability}; space '{space.Name}' has none",
            $"use strategy 'random' (any space), or a space with {capability} (darts, nb201, chain, macro)");

    public SearchOutcome Run(SearchContext context)
    {
        var stage = context.Params;
        var proposer = CreateProposer(context.Space, stage);
        var latency = LatencySettings.FromParams(stage);
        var predictor = context.Latency;
        if (latency.Active && latency.Source == "predicted" && predictor is null)
            throw stage.Error(
                $"{(latency.ObjectiveUsesLatency ? $"objective '{stage.RequiredString("objective")}'" : $"latency_target {latency.TargetMs} ms")} with latency_source: predicted " +
                "needs a latency predictor, and this search stage has no `latency` input",
                "add `latency: <profile-latency stage>` to the search stage's inputs (a profile-latency stage over the same space, width and depth), " +
                "or set latency_source: measured", stage.PipelineFile);
        var objective = Objectives.FromParams(stage);
        long[] halving = stage.IntList("halving_epochs");
        int[] rungs = halving.Length > 0 ? halving.Select(e => (int)e).ToArray() : [(int)stage.Int("trial_epochs")];
        if (halving.Length > 0 && halving.Zip(halving.Skip(1)).Any(p => p.Second < p.First))
            throw stage.Error($"halving_epochs [{string.Join(", ", halving)}] must not decrease", "give growing budgets, e.g. halving_epochs: [1, 2, 4]", stage.PipelineFile);
        if (stage.Float("trial_data_fraction") is <= 0 or > 1)
            throw stage.Error($"trial_data_fraction must be in (0, 1], got {stage.Float("trial_data_fraction")}", "set e.g. trial_data_fraction: 0.25", stage.PipelineFile);
        ILatencySource? source = !latency.Active ? null
            : latency.Source == "measured" ? new MeasuredLatency(latency.MeasurementOptions(predictor, context.Seed))
            : new PredictedLatency(predictor!);
        var inner = EvaluatorFactory?.Invoke(context) ?? new StandAloneEvaluator(context.Data, new TrainingRecipe
        {
            BatchSize = (int)stage.Int("trial_batch_size"),
            LearningRate = stage.Float("trial_lr"),
            WeightDecay = stage.Float("trial_weight_decay"),
            DataFraction = stage.Float("trial_data_fraction"),
        }, rungs, context.Seed, context.Log, context.StateDir)
        {
            Latency = source as MeasuredLatency,
            KeepWeights = latency.Pareto && latency.ExportFront,
        };
        IEvaluator scored = source is null ? inner : new LatencyEvaluator(inner, source, predictor);
        var evaluator = new CachingEvaluator(scored, Path.Combine(context.StateDir, CachingEvaluator.FileName));
        var filter = latency.HasTarget && predictor is not null ? new LatencyFilter(predictor, latency.LimitMs) : null;
        if (filter is not null)
            context.Log.Info($"pre-rejection: candidates predicted over {latency.LimitMs:0.000} ms (latency_target {latency.TargetMs:0.###} ms x margin {latency.Margin:0.###}) are refused before training");
        var runner = new MultiTrialRunner(context.Space, proposer, evaluator, objective, new MultiTrialOptions
        {
            Trials = (int)stage.Int("trials"),
            Seed = context.Seed,
            StateDir = context.StateDir,
            Fingerprint = Fingerprint(context),
            HalvingEta = (int)stage.Int("halving_eta"),
            Filter = filter,
            RetryFailed = stage.Bool(RetryFailedParam),
            Log = context.Log,
            Cancellation = context.Cancellation,
        });
        var result = runner.Run();

        SearchLog.Write(Path.Combine(context.OutputDir, SearchLog.FileName), result.Trials);
        SearchPlot.Write(Path.Combine(context.OutputDir, SearchPlot.FileName), result.Trials.Where(t => t.Rung == 0 && !t.Failed).Select(t => t.Score).ToList(),
            objective.Name, $"{Name} over {context.SpaceName}: {result.Trials.Count(t => t.Rung == 0)} architectures");
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
        AddPayload(proposer, payload);
        if (result.Rejections > 0)
            context.Log.Info($"{result.Rejections} proposals were rejected before training (predicted over {latency.LimitMs:0.000} ms); they did not count against the {(int)stage.Int("trials")} trials");

        // What is preferred, best first: the objective's ranking, or for a Pareto search the front (under the limit by accuracy, then the rest by latency).
        var archOf = new Dictionary<string, IArchitecture>(StringComparer.Ordinal);
        IArchitecture Arch(Trial t) => archOf.TryGetValue(t.ArchId, out var a) ? a : archOf[t.ArchId] = context.Space.Parse(t.Architecture);
        List<Trial> preferred = result.Trials.Where(t => t.Rung == result.Best.Rung && !t.Failed).OrderByDescending(t => t.Score).ThenBy(t => t.Number).ToList();
        if (latency.Pareto) preferred = Pareto(context, latency, result, payload, Arch);
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
                ["predictor_device"] = predictor?.Table.Fingerprint.ToString(),
            };
            // a policy's most likely architecture was never measured against the target: derive the measured winner
            payload["derive_auto_rule"] = "best";
        }
        if (latency.HasTarget && latency.FinalCandidates > 0)
        {
            var ranked = preferred.DistinctBy(t => t.ArchId).Take(latency.FinalCandidates).Select(t => (t, Arch(t))).ToList();
            var measure = new MeasuredLatency(latency.MeasurementOptions(predictor, context.Seed));
            context.Log.Info($"measuring the {ranked.Count} final candidate(s) with ONNX Runtime ({measure.Options.Runs} runs each, batch {measure.Options.Batch}, {measure.Options.Threads} thread(s))");
            var (finals, device) = FinalCandidates.Measure(ranked, measure, predictor, latency.TargetMs, (int)(context.Seed & 0x7fffffff));
            FinalCandidates.Write(Path.Combine(context.OutputDir, FinalCandidates.FileName), finals);
            var winner = FinalCandidates.Winner(finals);
            foreach (var f in finals)
                context.Log.Info($"  {f.Trial.ArchId}: accuracy {f.Accuracy:0.0000}, predicted {(f.PredictedMs is double p ? $"{p:0.000} ms" : "-")}, " +
                               $"measured p50 {f.MeasuredP50Ms:0.000} ms p90 {f.MeasuredP90Ms:0.000} ms{(f.MeetsTarget ? "" : $" > target {latency.TargetMs:0.###} ms")}");
            var chosen = winner ?? finals[0];
            if (winner is null)
                context.Log.Warn($"none of the {finals.Count} final candidates meets latency_target {latency.TargetMs:0.###} ms when measured " +
                               $"(fastest measured p50 {finals.Min(f => f.MeasuredP50Ms):0.000} ms): keeping the search's best {finals[0].Trial.ArchId}, which MISSES the target. " +
                               "Lower latency_margin (e.g. 0.9) so that candidates are kept further under the target, raise final_candidates, or raise the target");
            else
                context.Log.Info($"winner {winner.Trial.ArchId}: measured p50 {winner.MeasuredP50Ms:0.000} ms <= target {latency.TargetMs:0.###} ms");
            best = chosen.Trial;
            bestObjectives = new SortedDictionary<string, double>(best.Objectives, StringComparer.Ordinal)
            {
                ["score"] = best.Score,
                ["measured_p50_ms"] = chosen.MeasuredP50Ms,
                ["measured_p90_ms"] = chosen.MeasuredP90Ms,
            };
            payload["final"] = new JsonObject
            {
                ["target_ms"] = latency.TargetMs,
                ["winner"] = best.ArchId,
                ["meets_target"] = winner is not null,
                ["measured_p50_ms"] = chosen.MeasuredP50Ms,
                ["measured_p90_ms"] = chosen.MeasuredP90Ms,
                ["device"] = device.ToString(),
                ["fingerprint_id"] = device.Id,
                ["candidates"] = new JsonArray(finals.Select(f => (JsonNode)new JsonObject
                {
                    ["arch_id"] = f.Trial.ArchId,
                    ["accuracy"] = f.Accuracy,
                    ["predicted_ms"] = f.PredictedMs,
                    ["measured_p50_ms"] = f.MeasuredP50Ms,
                    ["measured_p90_ms"] = f.MeasuredP90Ms,
                    ["meets_target"] = f.MeetsTarget,
                }).ToArray()),
            };
        }

        int failed = result.Trials.Count(t => t.Failed);
        if (failed > 0)
            context.Log.Warn($"{failed} of {result.Trials.Count} trials diverged and were left out (status and reason in search_log.csv); " +
                           $"set {RetryFailedParam}: true to train them again when this search resumes");
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

    /// <summary>
    /// objective: pareto. The front over the rung-0 trials (every architecture evaluated with the same budget), pareto.csv,
    /// pareto.png, optionally front/&lt;arch_id&gt;.onnx; returns the front in order of preference: the derive rule's pick
    /// first (the most accurate point under the target, or the most accurate without one), then the rest under the target
    /// by accuracy, then the points over the target by latency.
    /// </summary>
    private List<Trial> Pareto(SearchContext context, LatencySettings latency, MultiTrialResult result, JsonObject payload, Func<Trial, IArchitecture> arch)
    {
        var trials = result.Trials.Where(t => t.Rung == 0 && !t.Failed).ToList();
        var points = trials.Select(t => new ParetoPoint(Objectives.Get(t.Objectives, "accuracy"), Objectives.Get(t.Objectives, Objectives.LatencyMs))).ToList();
        var front = ParetoFront.Indices(points);
        double? limit = latency.HasTarget ? latency.TargetMs : null;
        int? pick = ParetoFront.MostAccurateUnder(points, front, limit);
        if (pick is null)
            context.Log.Warn($"no architecture on the Pareto front meets latency_target {latency.TargetMs:0.###} ms: the fastest front point is derived");
        int chosen = pick ?? front[0];
        ParetoPlot.Write(Path.Combine(context.OutputDir, ParetoPlot.FileName), points, front, chosen, limit,
            $"{Name} over {context.SpaceName}: {front.Count} of {points.Count} architectures on the front");
        Csv.WriteTable(Path.Combine(context.OutputDir, "pareto.csv"), ["trial", "arch_id", "accuracy", "latency_ms", "derived", "architecture"],
            front.Select(i => (IReadOnlyList<string>)
            [
                trials[i].Number.ToString(CultureInfo.InvariantCulture), trials[i].ArchId, Csv.Format(points[i].Accuracy), Csv.Format(points[i].LatencyMs),
                i == chosen ? "true" : "false", trials[i].Architecture,
            ]));
        payload["pareto"] = new JsonArray(front.Select(i => (JsonNode)new JsonObject
        {
            ["arch_id"] = trials[i].ArchId,
            ["accuracy"] = points[i].Accuracy,
            ["latency_ms"] = points[i].LatencyMs,
        }).ToArray());
        payload["pareto_rule"] = limit is null ? "most accurate on the front" : $"most accurate on the front with latency_ms <= {limit:0.###}";
        if (latency.ExportFront) ExportFront(context, front.Select(i => trials[i]).ToList(), arch);
        context.Log.Info($"Pareto front: {front.Count} of {points.Count} architectures; derived {trials[chosen].ArchId} " +
                               $"(accuracy {points[chosen].Accuracy:0.0000}, {points[chosen].LatencyMs:0.000} ms)");
        return [trials[chosen],
            .. front.Where(i => i != chosen && (limit is null || points[i].LatencyMs <= limit)).OrderByDescending(i => points[i].Accuracy).ThenBy(i => points[i].LatencyMs).Select(i => trials[i]),
            .. front.Where(i => i != chosen && limit is not null && points[i].LatencyMs > limit).OrderBy(i => points[i].LatencyMs).Select(i => trials[i])];
    }

    /// <summary>front/&lt;arch_id&gt;.onnx with the weights of the trial's own (short) training, or seeded random weights when none were kept.</summary>
    private static void ExportFront(SearchContext context, IReadOnlyList<Trial> front, Func<Trial, IArchitecture> arch)
    {
        string dir = Path.Combine(context.OutputDir, "front");
        Directory.CreateDirectory(dir);
        int trained = 0;
        foreach (var t in front)
        {
            var options = new ExportOptions
            {
                LatencyMs = t.Objectives.TryGetValue(Objectives.LatencyMs, out double ms) ? ms : null,
                Metadata = new Dictionary<string, string> { ["nasonnx.search_val_accuracy"] = Objectives.Get(t.Objectives, "accuracy").ToString("R", CultureInfo.InvariantCulture) },
            };
            string weights = StandAloneEvaluator.WeightsPath(context.StateDir, t.ArchId, t.Rung);
            string outPath = Path.Combine(dir, $"{t.ArchId}.onnx");
            if (File.Exists(weights)) { OnnxExporter.Export(arch(t), weights, outPath, options); trained++; }
            else OnnxExporter.ExportRandom(arch(t), (int)(context.Seed & 0x7fffffff), outPath, options);
        }
        context.Log.Info($"exported {front.Count} front architecture(s) to {dir} ({trained} with their trial weights, {front.Count - trained} with random weights)");
    }

    /// <summary>Params (but retry_failed), seed, strategy and space: a saved state from another configuration is not resumed.</summary>
    private string Fingerprint(SearchContext context)
    {
        static string Format(object? v) => v switch
        {
            null => "",
            long[] list => "[" + string.Join(",", list) + "]",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        var parts = context.Params.Params.Where(p => p.Key != RetryFailedParam).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Format(p.Value)}");
        return $"{Name}|{context.SpaceName}|{context.SpaceOptions}|{context.Seed}|{string.Join(";", parts)}";
    }

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

/// <summary>Random search: uniform samples, the best evaluated wins. Any space.</summary>
public sealed class RandomStrategy : MultiTrialStrategy
{
    public override string Name => "random";
    public override string Description => "Random search: evaluate uniformly sampled architectures (stand-alone training), keep the best.";
    protected override IReadOnlyList<ParamSpec> OwnParams => [];
    protected override ITrialProposer CreateProposer(ISearchSpace space, IParamReader stage) => new RandomProposer(space);
}

/// <summary>Regularized (aging) evolution with tournament selection, mutation and optional crossover.</summary>
public sealed class EvolutionStrategy : MultiTrialStrategy
{
    public override string Name => "evolution";
    public override string Description => "Regularized (aging) evolution: mutate (or cross over) the best of a sample, drop the oldest. Needs mutation.";

    protected override IReadOnlyList<ParamSpec> OwnParams { get; } =
    [
        ParamSpec.Int("population", 10, "evolution: population size P (the first P trials are random)"),
        ParamSpec.Int("sample", 3, "evolution: tournament size S drawn from the population"),
        ParamSpec.Float("crossover", 0.2, "evolution: probability that a child is a crossover of two tournament winners instead of a mutation"),
    ];

    protected override ITrialProposer CreateProposer(ISearchSpace space, IParamReader stage) =>
        new EvolutionProposer(space as IMutableSpace ?? throw Needs(space, "mutation and crossover (IMutableSpace)"),
            (int)stage.Int("population"), (int)stage.Int("sample"), stage.Float("crossover"));

    protected override void AddPayload(ITrialProposer proposer, JsonObject payload) =>
        payload["population"] = new JsonArray(((EvolutionProposer)proposer).Population.Select(t => (JsonNode)JsonValue.Create(t.ArchId)!).ToArray());
}

/// <summary>REINFORCE over the space's decisions; derives the policy's most likely architecture by default.</summary>
public sealed class ReinforceStrategy : MultiTrialStrategy
{
    public override string Name => "reinforce";
    public override string Description => "REINFORCE: a softmax policy per decision, Adam/SGD on the logits, moving-average baseline, entropy bonus. Needs decisions.";
    protected override string AutoRule => "most-likely";

    protected override IReadOnlyList<ParamSpec> OwnParams { get; } =
    [
        ParamSpec.Float("policy_lr", 0.1, "reinforce: learning rate on the policy logits"),
        ParamSpec.Choice("policy_optimizer", "adam", "reinforce: optimizer of the policy logits", "adam", "sgd"),
        ParamSpec.Float("baseline_momentum", 0.99, "reinforce: moving-average baseline b <- m b + (1 - m) R"),
        ParamSpec.Float("entropy", 1e-4, "reinforce: weight of the entropy bonus"),
    ];

    protected override ITrialProposer CreateProposer(ISearchSpace space, IParamReader stage) =>
        new ReinforceProposer(space as IDecisionSpace ?? throw Needs(space, "categorical decisions (IDecisionSpace)"), new ReinforceOptions
        {
            LearningRate = stage.Float("policy_lr"),
            Optimizer = stage.RequiredString("policy_optimizer"),
            BaselineMomentum = stage.Float("baseline_momentum"),
            Entropy = stage.Float("entropy"),
        });

    protected override void AddPayload(ITrialProposer proposer, JsonObject payload)
    {
        var p = (ReinforceProposer)proposer;
        payload["policy"] = p.PolicyJson();
        payload["baseline"] = p.Baseline;
        payload["updates"] = p.Updates;
    }

    protected override IArchitecture MostLikely(SearchOutcome outcome, ISearchSpace space)
    {
        var decisions = space as IDecisionSpace ?? throw Needs(space, "categorical decisions (IDecisionSpace)");
        if (outcome.Payload is not { } payload || !payload.TryGetProperty("policy", out var policy) || policy.GetArrayLength() != decisions.Decisions.Count)
            throw new NasOnnxException("search.json has no REINFORCE policy that fits the space", "re-run the search stage with --force");
        var choices = policy.EnumerateArray().Select(d =>
        {
            var logits = d.GetProperty("logits").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            return Array.IndexOf(logits, logits.Max());
        }).ToArray();
        return decisions.FromChoices(choices);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasOnnx.Pipeline;
using NasOnnx.Spaces;
using NasOnnx.Training;

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
        .. Objectives.Params,
    ];

    /// <summary>Checks the space's capability and builds the proposer from the stage params.</summary>
    protected abstract ITrialProposer CreateProposer(ISearchSpace space, StageContext stage);

    /// <summary>What only this strategy puts into search.json's payload (policy, population ...).</summary>
    protected virtual void AddPayload(ITrialProposer proposer, JsonObject payload) { }

    /// <summary>The error for a space without the capability this strategy needs.</summary>
    protected NasOnnxException Needs(ISearchSpace space, string capability) =>
        new($"strategy '{Name}' needs a space with {capability}; space '{space.Name}' has none",
            $"use strategy 'random' (any space), or a space with {capability} (darts, nb201, chain, macro)");

    public SearchOutcome Run(SearchContext context)
    {
        var stage = context.Stage;
        var proposer = CreateProposer(context.Space, stage);
        var objective = Objectives.FromParams(stage);
        long[] halving = stage.IntList("halving_epochs");
        int[] rungs = halving.Length > 0 ? halving.Select(e => (int)e).ToArray() : [(int)stage.Int("trial_epochs")];
        if (halving.Length > 0 && halving.Zip(halving.Skip(1)).Any(p => p.Second < p.First))
            throw stage.Error($"halving_epochs [{string.Join(", ", halving)}] must not decrease", "give growing budgets, e.g. halving_epochs: [1, 2, 4]", stage.PipelineFile);
        if (stage.Float("trial_data_fraction") is <= 0 or > 1)
            throw stage.Error($"trial_data_fraction must be in (0, 1], got {stage.Float("trial_data_fraction")}", "set e.g. trial_data_fraction: 0.25", stage.PipelineFile);
        var inner = EvaluatorFactory?.Invoke(context) ?? new StandAloneEvaluator(context.Data, new TrainingRecipe
        {
            BatchSize = (int)stage.Int("trial_batch_size"),
            LearningRate = stage.Float("trial_lr"),
            WeightDecay = stage.Float("trial_weight_decay"),
            DataFraction = stage.Float("trial_data_fraction"),
        }, rungs, context.Seed, stage.Log, context.StateDir);
        var evaluator = new CachingEvaluator(inner, Path.Combine(context.StateDir, CachingEvaluator.FileName));
        var runner = new MultiTrialRunner(context.Space, proposer, evaluator, objective, new MultiTrialOptions
        {
            Trials = (int)stage.Int("trials"),
            Seed = context.Seed,
            StateDir = context.StateDir,
            Fingerprint = Fingerprint(context),
            HalvingEta = (int)stage.Int("halving_eta"),
            Log = stage.Log,
            Cancellation = stage.Cancellation,
        });
        var result = runner.Run();

        SearchLog.Write(Path.Combine(context.OutputDir, SearchLog.FileName), result.Trials);
        SearchPlot.Write(Path.Combine(context.OutputDir, SearchPlot.FileName), result.Trials.Where(t => t.Rung == 0).Select(t => t.Score).ToList(),
            objective.Name, $"{Name} over {context.SpaceName}: {result.Trials.Count(t => t.Rung == 0)} architectures");
        var payload = new JsonObject
        {
            ["objective"] = objective.Name,
            ["proposals"] = result.Proposals,
            ["repeats"] = result.Repeats,
            ["best_rung"] = result.Best.Rung,
            ["top"] = new JsonArray(result.Trials.Where(t => t.Rung == result.Best.Rung).OrderByDescending(t => t.Score).ThenBy(t => t.Number).Take(10)
                .Select(t => (JsonNode)new JsonObject { ["trial"] = t.Number, ["arch_id"] = t.ArchId, ["score"] = t.Score }).ToArray()),
        };
        AddPayload(proposer, payload);
        stage.Log.Info($"best {result.Best.ArchId} {objective.Name} {result.Best.Score:0.0000} (trial {result.Best.Number}); " +
            $"{result.Trials.Count} evaluations, {result.Repeats} repeated proposals skipped, {evaluator.Hits} cached results reused");
        return new SearchOutcome
        {
            Strategy = Name,
            Space = context.SpaceName,
            Best = JsonDocument.Parse(result.Best.Architecture).RootElement.Clone(),
            BestObjectives = new SortedDictionary<string, double>(result.Best.Objectives, StringComparer.Ordinal) { ["score"] = result.Best.Score },
            Evaluations = result.Trials.Count,
            Payload = JsonDocument.Parse(payload.ToJsonString()).RootElement.Clone(),
        };
    }

    /// <summary>Params, seed, strategy and space: a saved state from another configuration is not resumed.</summary>
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
        var parts = context.Stage.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Format(p.Value)}");
        return $"{Name}|{context.SpaceName}|{context.SpaceOptions}|{context.Seed}|{string.Join(";", parts)}";
    }

    public IArchitecture Derive(SearchOutcome outcome, ISearchSpace space, DeriveOptions options)
    {
        string rule = options.Rule == "auto" ? AutoRule : options.Rule;
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
    protected override ITrialProposer CreateProposer(ISearchSpace space, StageContext stage) => new RandomProposer(space);
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

    protected override ITrialProposer CreateProposer(ISearchSpace space, StageContext stage) =>
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

    protected override ITrialProposer CreateProposer(ISearchSpace space, StageContext stage) =>
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

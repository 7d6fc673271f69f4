using System.Globalization;
using NasOnnx.Core;
using NasOnnx.Search.Execution;
using NasOnnx.Search.Latency;
using NasOnnx.Training;

namespace NasOnnx.Search.MultiTrial;

/// <summary>
/// The params of a multi-trial search, read once from the stage and checked: the budget, how each trial trains, the
/// objective, the latency settings, and the settings of each proposer (the search stage takes the params of every
/// strategy, so all are there; a strategy uses its own). The run loop and the services after it see only these values.
/// </summary>
public sealed record MultiTrialSettings
{
    /// <summary>Not part of the state's fingerprint: turning it on resumes the same search instead of starting over.</summary>
    public const string RetryFailedParam = "retry_failed";
    public const string InitialMutationsParam = "initial_mutations";

    public static IReadOnlyList<ParamSpec> Params { get; } =
    [
        ParamSpec.Int("trials", 20, "multi-trial budget: distinct architectures evaluated (a repeat is never trained twice)"),
        ParamSpec.Int("trial_epochs", 1, "multi-trial: epochs each architecture trains for its evaluation"),
        ParamSpec.Float("trial_data_fraction", 0.25, "multi-trial: share of the training images each evaluation trains on"),
        ParamSpec.Int("trial_batch_size", 128, "multi-trial: batch size of evaluation training"),
        ParamSpec.Choice("trial_optimizer", TrainingRecipe.SgdOptimizer, "multi-trial: optimizer of evaluation training (sgd; adamw for text)",
            TrainingRecipe.SgdOptimizer, TrainingRecipe.AdamWOptimizer),
        ParamSpec.Float("trial_lr", 0.05, "multi-trial: peak learning rate of evaluation training (cosine to 0)"),
        ParamSpec.Float("trial_weight_decay", 5e-4, "multi-trial: weight decay of evaluation training"),
        ParamSpec.Float("trial_warmup_epochs", 0, "multi-trial: linear warm-up of evaluation training in epochs (0: off)"),
        ParamSpec.Float("trial_label_smoothing", 0, "multi-trial: label smoothing of evaluation training, from rung trial_augment_from_rung on (0: off)"),
        ParamSpec.Int("trial_crop_padding", 0, "multi-trial: random crop with this much padding in evaluation training, from rung trial_augment_from_rung on (0: off)"),
        ParamSpec.Choice("trial_flip", "off", "multi-trial: random horizontal flip in evaluation training, from rung trial_augment_from_rung on " +
            "(auto: on unless it changes the label)", "off", "on", "auto"),
        ParamSpec.Int("trial_cutout", 0, "multi-trial: cutout square side in evaluation training, from rung trial_augment_from_rung on (0: off)"),
        ParamSpec.Float("trial_random_erasing", 0, "multi-trial: random erasing probability in evaluation training, from rung trial_augment_from_rung on (0: off)"),
        ParamSpec.Int("trial_augment_from_rung", 1, "multi-trial: the first rung (1: the first) whose trials train with the trial_ augmentations and label smoothing; " +
            "earlier rungs train on plain images (a one-epoch screen learns little from augmented ones)"),
        ParamSpec.NameList(InitialArchitectures.Param, null, "multi-trial: architecture files (relative to the project root) evaluated before the " +
            "strategy proposes, e.g. hand-designed networks for evolution to start from; each must be a member of the search space"),
        ParamSpec.Int(InitialMutationsParam, 0, "multi-trial: after the initial architectures, train this many of their mutations (one decision changed, the " +
            "architectures in turn) before the strategy proposes: with evolution and a population of about as many, a local search around them " +
            "instead of a start from random samples"),
        ParamSpec.IntList("halving_epochs", [], "multi-trial successive halving: epochs per rung, e.g. [1, 2, 4]; the best 1/halving_eta of a rung goes on to the next (empty: off)"),
        ParamSpec.IntList("halving_data_percent", [], "multi-trial successive halving: share of the training data per rung in percent, one per halving_epochs entry, " +
            "e.g. [25, 50, 100] (empty: trial_data_fraction at every rung)"),
        ParamSpec.Int("halving_eta", 2, "multi-trial successive halving: keep the best 1/eta of each rung (2: the better half)"),
        ParamSpec.Bool(RetryFailedParam, false, "multi-trial: when a killed or failed search resumes, train the trials that diverged again " +
            "(e.g. after switching to NASONNX_NUMERICS=safe); by default a diverged trial stays failed"),
        .. Objectives.Params,
        .. LatencySettings.Params,
        .. ExecutorSettings.Params,
    ];

    /// <summary>The budget: distinct architectures evaluated at rung 0.</summary>
    public required int Trials { get; init; }
    /// <summary>Budget per rung: the trial epochs on trial_data_fraction alone, or the successive-halving budgets (never decreasing).</summary>
    public required IReadOnlyList<TrialBudget> Rungs { get; init; }
    public required int HalvingEta { get; init; }
    /// <summary>How each trial trains (epochs and data share come from <see cref="Rungs"/>, the seed from the stage).</summary>
    public required TrainingRecipe TrialRecipe { get; init; }
    /// <summary>The augmentations and label smoothing of trials, and the rung they start at.</summary>
    public required TrialAugmentation Augmentation { get; init; }
    /// <summary>Mutations of the initial architectures trained before the strategy proposes.</summary>
    public required int InitialMutations { get; init; }
    public required bool RetryFailed { get; init; }
    public required IObjective Objective { get; init; }
    public required LatencySettings Latency { get; init; }
    public required EvolutionSettings Evolution { get; init; }
    public required ReinforceOptions Reinforce { get; init; }
    /// <summary>Where trials run, how many at once, retries.</summary>
    public required ExecutorSettings Execution { get; init; }
    /// <summary>Every param but retry_failed and those that say only how trials run (executor, retries, slurm_*), by name, as text:
    /// a saved state from other params is not resumed.</summary>
    public required string ParamsFingerprint { get; init; }

    /// <param name="hasLatencyPredictor">Whether the stage has a `latency` input (predicted latencies need one).</param>
    public static MultiTrialSettings FromParams(IParamReader stage, bool hasLatencyPredictor)
    {
        var latency = LatencySettings.FromParams(stage);
        if (latency.Active && latency.Source == "predicted" && !hasLatencyPredictor)
            throw stage.Error(
                $"{(latency.ObjectiveUsesLatency ? $"objective '{stage.RequiredString("objective")}'" : $"latency_target {latency.TargetMs} ms")} with latency_source: predicted " +
                "needs a latency predictor, and this search stage has no `latency` input",
                "add `latency: <profile-latency stage>` to the search stage's inputs (a profile-latency stage over the same space, width and depth), " +
                "or set latency_source: measured", stage.PipelineFile);
        if (latency.Floor > 0 && !hasLatencyPredictor)
            throw stage.Error($"latency_floor {latency.Floor} refuses candidates by their predicted latency, and this search stage has no `latency` input to predict it",
                "add `latency: <profile-latency stage>` to the search stage's inputs, or remove latency_floor", stage.PipelineFile);
        var objective = Objectives.FromParams(stage);
        if (stage.Int(InitialMutationsParam) < 0)
            throw stage.Error($"{InitialMutationsParam} is {stage.Int(InitialMutationsParam)}", $"set {InitialMutationsParam}: 0 or more", stage.PipelineFile);
        if (stage.Float("trial_data_fraction") is <= 0 or > 1)
            throw stage.Error($"trial_data_fraction must be in (0, 1], got {stage.Float("trial_data_fraction")}", "set e.g. trial_data_fraction: 0.25", stage.PipelineFile);
        var rungs = ReadRungs(stage);
        var augmentation = ReadAugmentation(stage, rungs.Count);
        return new MultiTrialSettings
        {
            Trials = (int)stage.Int("trials"),
            Rungs = rungs,
            HalvingEta = (int)stage.Int("halving_eta"),
            TrialRecipe = new TrainingRecipe
            {
                Optimizer = stage.RequiredString("trial_optimizer"),
                BatchSize = (int)stage.Int("trial_batch_size"),
                LearningRate = stage.Float("trial_lr"),
                WeightDecay = stage.Float("trial_weight_decay"),
                WarmupEpochs = stage.Float("trial_warmup_epochs"),
            },
            Augmentation = augmentation,
            InitialMutations = (int)stage.Int(InitialMutationsParam),
            RetryFailed = stage.Bool(RetryFailedParam),
            Objective = objective,
            Latency = latency,
            Evolution = EvolutionSettings.FromParams(stage),
            Reinforce = ReinforceOptions.FromParams(stage),
            Execution = ExecutorSettings.FromParams(stage),
            ParamsFingerprint = Fingerprint(stage),
        };
    }

    private static TrialAugmentation ReadAugmentation(IParamReader stage, int rungs)
    {
        void Require(bool ok, string what, string fix)
        {
            if (!ok) throw stage.Error(what, fix, stage.PipelineFile);
        }
        Require(stage.Float("trial_warmup_epochs") >= 0, "trial_warmup_epochs must be 0 or more", "set e.g. trial_warmup_epochs: 1 (0: off)");
        Require(stage.Float("trial_label_smoothing") is >= 0 and < 1, "trial_label_smoothing must be in [0, 1)", "set e.g. trial_label_smoothing: 0.1");
        Require(stage.Int("trial_crop_padding") >= 0, "trial_crop_padding must be 0 or more", "set e.g. trial_crop_padding: 2");
        Require(stage.Int("trial_cutout") >= 0, "trial_cutout must be 0 or more", "set e.g. trial_cutout: 8");
        Require(stage.Float("trial_random_erasing") is >= 0 and <= 1, $"trial_random_erasing is a probability, got {stage.Float("trial_random_erasing")}", "set e.g. trial_random_erasing: 0.5 (0: off)");
        long from = stage.Int("trial_augment_from_rung");
        Require(from >= 1 && from <= rungs, $"trial_augment_from_rung is {from}, and the search has {rungs} rung{(rungs == 1 ? "" : "s")}",
            $"set it between 1 and {rungs} (1: every rung)");
        return new TrialAugmentation((int)stage.Int("trial_crop_padding"), stage.RequiredString("trial_flip"), (int)stage.Int("trial_cutout"),
            stage.Float("trial_random_erasing"), stage.Float("trial_label_smoothing"), (int)from - 1);
    }

    /// <summary>trial_epochs on trial_data_fraction, or one budget per halving_epochs entry with its halving_data_percent
    /// (or trial_data_fraction); neither epochs nor data may shrink from one rung to the next.</summary>
    private static IReadOnlyList<TrialBudget> ReadRungs(IParamReader stage)
    {
        long[] halving = stage.IntList("halving_epochs");
        long[] percent = stage.IntList("halving_data_percent");
        double fraction = stage.Float("trial_data_fraction");
        if (halving.Length == 0)
        {
            if (percent.Length > 0)
                throw stage.Error("halving_data_percent is set but halving_epochs is not", "give halving_epochs too, one entry per rung (e.g. halving_epochs: [1, 2, 3] with halving_data_percent: [25, 50, 100]), or remove halving_data_percent", stage.PipelineFile);
            return [new TrialBudget((int)stage.Int("trial_epochs"), fraction)];
        }
        if (halving.Zip(halving.Skip(1)).Any(p => p.Second < p.First))
            throw stage.Error($"halving_epochs [{string.Join(", ", halving)}] must not decrease", "give growing budgets, e.g. halving_epochs: [1, 2, 4]", stage.PipelineFile);
        if (percent.Length == 0) return [.. halving.Select(e => new TrialBudget((int)e, fraction))];
        if (percent.Length != halving.Length)
            throw stage.Error($"halving_data_percent has {percent.Length} entries and halving_epochs {halving.Length}", "give one data share per rung, e.g. halving_epochs: [1, 2, 3] with halving_data_percent: [25, 50, 100]", stage.PipelineFile);
        if (percent.Any(p => p is < 1 or > 100) || percent.Zip(percent.Skip(1)).Any(p => p.Second < p.First))
            throw stage.Error($"halving_data_percent [{string.Join(", ", percent)}] must be percentages (1-100) that do not decrease", "give growing shares, e.g. halving_data_percent: [25, 50, 100]", stage.PipelineFile);
        return [.. halving.Zip(percent, (e, p) => new TrialBudget((int)e, p / 100.0))];
    }

    private static string Fingerprint(IParamReader stage)
    {
        static string Format(object? v) => v switch
        {
            null => "",
            long[] list => "[" + string.Join(",", list) + "]",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        var executionOnly = Params.Where(p => p.ExecutionOnly).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var parts = stage.Params.Where(p => p.Key != RetryFailedParam && !executionOnly.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Format(p.Value)}");
        return string.Join(";", parts);
    }
}

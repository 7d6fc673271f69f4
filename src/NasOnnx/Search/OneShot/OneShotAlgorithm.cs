using System.Text.Json;
using NasOnnx.Core;
using NasOnnx.Data;
using NasOnnx.Latency;
using NasOnnx.Spaces;
using NasOnnx.Supernets;
using NasOnnx.Architectures;

namespace NasOnnx.Search.OneShot;

/// <summary>
/// One-shot search: trains a supernet of the space (darts, nb201, chain) on the weight half of the training images
/// and its architecture parameters on the other half (DARTS first/second order, GDAS, PC-DARTS), or trains single
/// paths and evolves (SPOS). Checkpoints after every epoch; writes search_log.csv and alphas.csv. With a latency input
/// the architecture step can add the supernet's expected latency (<see cref="LatencyLoss"/>), SPOS' evolution can keep
/// under a latency budget, and search.json gets the derived architecture's predicted latency.
/// </summary>
/// <remarks>
/// The training loop is shared (<see cref="SupernetSearchLoop"/>); a subclass says only what its algorithm does
/// differently, and a line in <see cref="OneShotCatalog"/> makes it a strategy. The defaults here are first-order
/// DARTS': a weighted supernet whose architecture parameters take a first-order gradient step before each weight step.
/// </remarks>
public abstract class OneShotAlgorithm : ISearchStrategy
{
    /// <summary>The key of the derived architecture's predicted latency (ms) in search.json's best_objectives.</summary>
    public const string LatencyObjective = "latency_ms";

    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>Every one-shot algorithm accepts the same params, so a pipeline can switch algorithms by name alone.</summary>
    public IReadOnlyList<ParamSpec> Params { get; } = [.. OneShotSettings.Specs, .. SposRankCheck.Params];

    public virtual IReadOnlyList<string>? Spaces => SupernetFactory.Spaces;

    /// <summary>How the supernet mixes the ops of an edge while this algorithm trains it.</summary>
    public virtual SupernetMode Mode => SupernetMode.Weighted;

    /// <summary>Only 1/partial_k of the channels go through the mixed ops unless partial_k says otherwise (PC-DARTS: K = 4).</summary>
    public virtual bool PartialChannels => false;

    /// <summary>Whether architecture parameters take optimizer steps on the architecture half of the data (SPOS: none).</summary>
    public virtual bool HasArchitectureStep => true;

    /// <summary>The algorithm's settings, read and checked once from the search stage's params.</summary>
    public virtual OneShotSettings ReadSettings(IParamReader stage) => OneShotSettings.Read(stage, PartialChannels);

    /// <summary>Checks of params only this algorithm reads, made before the supernet trains (so a typo does not cost a search).</summary>
    public virtual void CheckBeforeTraining(IParamReader stage) { }

    /// <summary>One architecture step (first order here); returns the validation loss and correct count.</summary>
    public virtual (double Loss, long Correct) ArchitectureStep(SupernetTrainer trainer, Tensor xTrain, Tensor yTrain, Tensor xVal, Tensor yVal) =>
        trainer.ArchStep(xTrain, yTrain, xVal, yVal, secondOrder: false);

    /// <summary>What changes in the supernet before each weight step (SPOS: a uniformly sampled path).</summary>
    public virtual void BeforeWeightStep(Supernet net, ISearchSpace space, Random pathRng) { }

    /// <summary>
    /// What of the params needs the search stage's `latency` input: the reason ("latency_loss: fbnet needs ...") and the
    /// setting that would do without it ("latency_loss: none"); null when nothing does.
    /// </summary>
    protected virtual (string Needs, string Unset)? LatencyInputNeed(OneShotSettings s) =>
        s.LatencyLoss == LatencyLossKind.None ? null
            : ($"latency_loss: {s.LatencyLoss.ToString().ToLowerInvariant()} needs the supernet's expected latency", "latency_loss: none");

    /// <summary>
    /// With a latency input: the expected-latency model (for the logs) and the architecture step's latency term
    /// (latency_loss, null for none).
    /// </summary>
    public virtual (ExpectedLatency? Expected, LatencyLoss? Loss) LatencyTerm(SearchContext context, Supernet net, OneShotSettings s, LatencyPredictor predictor)
    {
        var expected = SupernetFactory.ExpectedLatency(net, predictor);
        var loss = s.LatencyLoss == LatencyLossKind.None ? null : new LatencyLoss(expected, s.LatencyLoss, s.LatencyWeight, s.LatencyTarget, s.LatencyBeta);
        context.Log.Info($"{Name}: expected latency at uniform architecture weights {expected.UniformMs():0.000} ms; latency loss {loss?.Describe() ?? "none"}");
        return (expected, loss);
    }

    /// <summary>What the algorithm does with the trained supernet before deriving (SPOS: evolution); returns search.json's payload.</summary>
    public virtual OneShotPayload AfterTraining(SearchContext context, OneShotSettings s, Supernet net, BatchLoader weightLoader, BatchLoader archLoader,
        int seed, OneShotPayload payload) => payload;

    public SearchOutcome Run(SearchContext context)
    {
        var settings = ReadSettings(context.Params);
        CheckBeforeTraining(context.Params);
        return new SupernetSearchLoop(this, context, settings).Run();
    }

    /// <summary>
    /// Refuses a latency loss (or an SPOS latency budget) without the search stage's `latency` input. The search stage
    /// calls it while validating the pipeline, so the mistake shows before any stage runs.
    /// </summary>
    public void Validate(IParamReader stage, bool hasLatencyInput) =>
        CheckLatencyInput(stage, OneShotSettings.Read(stage, PartialChannels), hasLatencyInput);

    public void CheckLatencyInput(IParamReader stage, OneShotSettings s, bool hasLatencyInput)
    {
        if (hasLatencyInput || LatencyInputNeed(s) is not { } need) return;
        throw stage.Error(
            $"{need.Needs}, and stage '{stage.StageName}' has no `latency` input",
            $"add `latency: <a profile-latency stage over the same space, width and depth>` under the inputs of stage '{stage.StageName}' in {stage.PipelineFile}, " +
            $"or set {need.Unset}",
            stage.PipelineFile);
    }

    public IArchitecture Derive(SearchOutcome outcome, ISearchSpace space, DeriveOptions options)
    {
        if (outcome.Payload is not { } element)
            throw new NasOnnxException("the search outcome has no architecture weights", "re-run the search stage with --force");
        var payload = element.Deserialize<OneShotPayload>(SnakeJson.Options)
            ?? throw new NasOnnxException("the search outcome's payload is empty", "re-run the search stage with --force");
        if (payload.SposBest is { } best)
            return space.Parse(best.GetRawText());
        return SupernetFactory.Derive(space, payload.Arch, options);
    }
}

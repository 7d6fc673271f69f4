using System.Diagnostics;
using System.Text.Json;
using NasOnnx.Data;
using NasOnnx.Pipeline;
using NasOnnx.Reporting;
using NasOnnx.Spaces;
using NasOnnx.Supernets;
using NasOnnx.Training;
using TorchSharp;
using static TorchSharp.torch;
using NasOnnx.Core;
using NasOnnx.Plots;

namespace NasOnnx.Search.OneShot;

/// <summary>search.json's payload of a one-shot search: the final architecture weights, and SPOS' evolved best.</summary>
public sealed record OneShotPayload
{
    public required ArchSnapshot Arch { get; init; }
    public int PartialK { get; init; } = 1;
    /// <summary>SPOS: the best architecture found by evolution (JSON), with its accuracy on the architecture half.</summary>
    public JsonElement? SposBest { get; init; }
    public double? SposAccuracy { get; init; }
    /// <summary>SPOS with spos_rank_archs: Kendall tau between supernet and stand-alone accuracy (rank_correlation.csv).</summary>
    public RankCheckResult? RankCheck { get; init; }
    /// <summary>With a latency input: the supernet's final expected latency (ms), the loss form and its reference T (ms).</summary>
    public double? ExpectedLatencyMs { get; init; }
    public string? LatencyLoss { get; init; }
    public double? LatencyTargetMs { get; init; }
}

/// <summary>
/// One-shot search: trains a supernet of the space (darts, nb201, chain) on the weight half of the training images
/// and its architecture parameters on the other half (DARTS first/second order, GDAS, PC-DARTS), or trains single
/// paths and evolves (SPOS). Checkpoints after every epoch; writes search_log.csv and alphas.csv. With a latency input
/// the architecture step can add the supernet's expected latency (<see cref="LatencyLoss"/>), SPOS' evolution can keep
/// under a latency budget, and search.json gets the derived architecture's predicted latency.
/// </summary>
public sealed class OneShotStrategy(OneShotKind kind) : ISearchStrategy
{
    public OneShotKind Kind { get; } = kind;

    public string Name => Kind switch
    {
        OneShotKind.Darts => "darts",
        OneShotKind.Darts2 => "darts2",
        OneShotKind.Gdas => "gdas",
        OneShotKind.Pc => "pc",
        _ => "spos",
    };

    public string Description => Kind switch
    {
        OneShotKind.Darts => "DARTS, first-order architecture gradient, on a supernet (one-shot)",
        OneShotKind.Darts2 => "DARTS, second-order (unrolled) architecture gradient with finite-difference Hessian-vector product",
        OneShotKind.Gdas => "GDAS: hard Gumbel-softmax sample per edge, straight-through gradient, tau annealed tau_max -> tau_min",
        OneShotKind.Pc => "PC-DARTS: partial channels (1/partial_k through the ops), channel shuffle, edge normalization",
        _ => "SPOS: uniform single-path supernet training, then evolution with inherited weights and BN recalibration",
    };

    public IReadOnlyList<ParamSpec> Params { get; } = [.. OneShotSettings.Specs, .. SposRankCheck.Params];

    public IReadOnlyList<string>? Spaces => Kind == OneShotKind.Pc ? ["darts"] : SupernetFactory.Spaces;

    public static IReadOnlyList<ISearchStrategy> All { get; } = Enum.GetValues<OneShotKind>().Select(k => (ISearchStrategy)new OneShotStrategy(k)).ToArray();

    public SearchOutcome Run(SearchContext context)
    {
        var s = OneShotSettings.Read(context.Params, Kind);
        if (Kind == OneShotKind.Spos) SposRankCheck.Validate(context.Params);
        var log = context.Log;
        var data = context.Data.Value;
        int seed = (int)(context.Seed & 0x7fffffff);
        using var net = SupernetFactory.Build(context.Space, s.PartialK, seed);
        net.Mode = Kind switch { OneShotKind.Gdas => SupernetMode.Gumbel, OneShotKind.Spos => SupernetMode.Path, _ => SupernetMode.Weighted };
        using var trainer = new SupernetTrainer(net, s);
        var (expected, latencyLoss) = LatencyTerm(context, net, s);
        if (latencyLoss is not null) trainer.ArchLoss = ce => latencyLoss.Apply(ce, net.Arch);

        var (weightIdx, archIdx) = Split(data.TrainIndices, s.DataFraction, seed);
        var options = new BatchLoaderOptions { BatchSize = s.BatchSize, Shuffle = true, Seed = seed, DropLast = true, Normalization = data.Info.Normalization };
        using var weightLoader = new BatchLoader(data.TrainImages, weightIdx, options);
        using var archLoader = new BatchLoader(data.TrainImages, archIdx, options with { Seed = seed + 1 });
        int steps = Math.Min(weightLoader.BatchesPerEpoch, archLoader.BatchesPerEpoch);
        if (steps == 0)
            throw context.Params.Error($"each half of the search data ({weightIdx.Length} and {archIdx.Length} images) is smaller than one batch ({s.BatchSize})",
                "lower supernet_batch_size or raise supernet_data_fraction", context.Params.PipelineFile);
        var schedule = new CosineSchedule(s.WeightLr, s.WeightLrMin, (long)steps * s.Epochs);

        var progress = OneShotCheckpoint.Load(context.StateDir, Name, context.SpaceName, net, trainer)
            ?? new OneShotProgress { Strategy = Name, Space = context.SpaceName };
        if (progress.EpochsDone > 0) log.Info($"{Name}: resuming after epoch {progress.EpochsDone} of {s.Epochs}");
        log.Info($"{Name} over {context.SpaceName}: {net.parameters().Sum(p => p.numel()):N0} supernet weights, {net.Arch.All.Sum(p => p.numel())} architecture parameters, " +
                 $"{steps} steps per epoch ({weightIdx.Length} weight / {archIdx.Length} architecture images)");

        var shape = weightLoader.Shape;
        Tensor Images(Batch b) => torch.tensor(b.Images, [b.Count, shape.Channels, shape.Height, shape.Width]);
        for (int epoch = progress.EpochsDone; epoch < s.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            net.Noise = new Generator((ulong)(seed * 7919L + epoch + 1));
            var pathRng = new Random(unchecked(seed * 31 + epoch));
            net.Tau = s.Epochs == 1 ? s.TauMax : s.TauMax - (s.TauMax - s.TauMin) * epoch / (s.Epochs - 1);
            bool archSteps = Kind != OneShotKind.Spos && epoch >= s.ArchWarmupEpochs;
            double trainLoss = 0, archLoss = 0;
            long trainCorrect = 0, archCorrect = 0, seen = 0, archSeen = 0;
            long step = (long)epoch * steps;
            using (var bar = log.Progress($"{Name} epoch {epoch + 1}/{s.Epochs}", steps))
            using (var wEnum = weightLoader.Epoch(epoch).GetEnumerator())
            using (var aEnum = archLoader.Epoch(epoch).GetEnumerator())
            {
                for (int i = 0; i < steps && wEnum.MoveNext() && aEnum.MoveNext(); i++, step++)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    net.train();
                    var xt = Images(wEnum.Current);
                    var yt = torch.tensor(wEnum.Current.Labels);
                    trainer.WeightLr = schedule.RateAt(step);
                    try
                    {
                        if (archSteps)
                        {
                            var xv = Images(aEnum.Current);
                            var yv = torch.tensor(aEnum.Current.Labels);
                            var (l, c) = trainer.ArchStep(xt, yt, xv, yv, secondOrder: Kind == OneShotKind.Darts2);
                            archLoss += l * aEnum.Current.Count;
                            archCorrect += c;
                            archSeen += aEnum.Current.Count;
                        }
                        if (Kind == OneShotKind.Spos) net.UsePath(context.Space.Sample(pathRng));
                        var (loss, correct) = trainer.WeightStep(xt, yt);
                        trainLoss += loss * wEnum.Current.Count;
                        trainCorrect += correct;
                    }
                    catch (DivergedException e) { throw e.At($"epoch {epoch + 1}, step {step + 1}, lr {trainer.WeightLr:g4}"); }
                    seen += wEnum.Current.Count;
                    bar.Advance(1, $"loss {trainLoss / seen:0.000} acc {(double)trainCorrect / seen:0.000}");
                }
            }
            double seconds = watch.Elapsed.TotalSeconds;
            var row = new SearchEpoch(epoch + 1, trainer.WeightLr, Kind == OneShotKind.Gdas ? net.Tau : 0, trainLoss / Math.Max(1, seen),
                (double)trainCorrect / Math.Max(1, seen), archSeen > 0 ? archLoss / archSeen : null, archSeen > 0 ? (double)archCorrect / archSeen : null,
                Math.Round(seconds, 2), Math.Round(1000 * seconds / steps, 1))
            { ExpectedLatencyMs = expected?.Ms(net.Arch) };
            progress = progress with { EpochsDone = epoch + 1, History = [.. progress.History, row], Snapshots = [.. progress.Snapshots, net.Arch.Snapshot()] };
            WriteLogs(context.OutputDir, progress, net.Arch);
            OneShotCheckpoint.Save(context.StateDir, progress, net, trainer);
            log.Info($"{Name} epoch {row.Epoch}: train loss {row.TrainLoss:0.0000} acc {row.TrainAcc:0.0000}" +
                     (archSeen > 0 ? $" | arch loss {row.ArchLoss:0.0000} acc {row.ArchAcc:0.0000}" : "") +
                     (row.ExpectedLatencyMs is double lat ? $" | expected latency {lat:0.000} ms" : "") + $" | {row.MsPerStep:0} ms/step");
        }
        WriteLogs(context.OutputDir, progress, net.Arch);

        var payload = new OneShotPayload
        {
            Arch = net.Arch.Snapshot(), PartialK = s.PartialK, ExpectedLatencyMs = expected?.Ms(net.Arch),
            LatencyLoss = latencyLoss?.Describe(), LatencyTargetMs = latencyLoss?.TargetMs,
        };
        if (Kind == OneShotKind.Spos)
        {
            if (context.Space is not IMutableSpace mutable)
                throw context.Params.Error($"SPOS evolution needs a space with mutation; '{context.SpaceName}' has none");
            var (best, acc) = Evolve(net, mutable, weightLoader, archLoader, s, seed, context, out var rankCheck);
            payload = payload with { SposBest = JsonDocument.Parse(best.ToJson(indented: false)).RootElement.Clone(), SposAccuracy = acc, RankCheck = rankCheck };
            log.Info($"spos: best {best.ArchId} with {acc:P2} on the architecture half (inherited weights)");
        }
        var outcome = new SearchOutcome
        {
            Strategy = Name,
            Space = context.SpaceName,
            Best = JsonDocument.Parse("{}").RootElement.Clone(),
            Evaluations = progress.EpochsDone,
            Payload = JsonSerializer.SerializeToElement(payload, SnakeJson.Options),
            BestObjectives = payload.SposAccuracy is double a ? new Dictionary<string, double> { ["accuracy"] = a } : new Dictionary<string, double>(),
        };
        var derived = Derive(outcome, context.Space, new DeriveOptions());
        if (context.Latency is { } predictor)
        {
            double ms = predictor.PredictMs(derived);
            outcome = outcome with { BestObjectives = new Dictionary<string, double>(outcome.BestObjectives) { [LatencyObjective] = ms } };
            log.Info($"{Name}: derived {derived.ArchId}, predicted latency {ms:0.000} ms" +
                     (payload.ExpectedLatencyMs is double e ? $" (supernet's expected latency {e:0.000} ms)" : ""));
        }
        return outcome with { Best = JsonDocument.Parse(derived.ToJson(indented: false)).RootElement.Clone() };
    }

    /// <summary>The key of the derived architecture's predicted latency (ms) in search.json's best_objectives.</summary>
    public const string LatencyObjective = "latency_ms";

    /// <summary>
    /// The expected-latency model (whenever the search has a latency input, for the logs) and the architecture step's
    /// latency term (latency_loss). A latency loss or an SPOS budget without the latency input is refused.
    /// </summary>
    private (ExpectedLatency?, LatencyLoss?) LatencyTerm(SearchContext context, Supernet net, OneShotSettings s)
    {
        var log = context.Log;
        bool spos = Kind == OneShotKind.Spos;
        CheckLatencyInput(context.Params, s, context.Latency is not null);
        if (context.Latency is null) return (null, null);
        if (spos)
        {
            if (s.LatencyLoss != LatencyLossKind.None)
                log.Warn($"spos has no architecture parameters: latency_loss is not used; latency_target ({s.LatencyTarget} ms) bounds its evolution instead");
            return (null, null);
        }
        var expected = ExpectedLatency.For(net, context.Latency);
        var loss = s.LatencyLoss == LatencyLossKind.None ? null : new LatencyLoss(expected, s.LatencyLoss, s.LatencyWeight, s.LatencyTarget, s.LatencyBeta);
        log.Info($"{Name}: expected latency at uniform architecture weights {expected.UniformMs():0.000} ms; latency loss {loss?.Describe() ?? "none"}");
        return (expected, loss);
    }

    /// <summary>
    /// Refuses a latency loss (or an SPOS latency budget) without the search stage's `latency` input. The search stage
    /// calls it while validating the pipeline, so the mistake shows before any stage runs.
    /// </summary>
    public void Validate(IParamReader stage, bool hasLatencyInput) =>
        CheckLatencyInput(stage, OneShotSettings.Read(stage, Kind), hasLatencyInput);

    private void CheckLatencyInput(IParamReader stage, OneShotSettings s, bool hasLatencyInput)
    {
        bool spos = Kind == OneShotKind.Spos;
        if (hasLatencyInput || !(spos ? s.LatencyTarget > 0 : s.LatencyLoss != LatencyLossKind.None)) return;
        throw stage.Error(
            spos ? $"latency_target {s.LatencyTarget} ms needs latency predictions, and stage '{stage.StageName}' has no `latency` input"
                 : $"latency_loss: {s.LatencyLoss.ToString().ToLowerInvariant()} needs the supernet's expected latency, and stage '{stage.StageName}' has no `latency` input",
            $"add `latency: <a profile-latency stage over the same space, width and depth>` under the inputs of stage '{stage.StageName}' in {stage.PipelineFile}, " +
            (spos ? "or set latency_target: 0" : "or set latency_loss: none"),
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
        return OneShotDerivation.Derive(space, payload.Arch, options);
    }

    /// <summary>Subsamples the training indices, shuffles them with the seed and halves them: weights, architecture.</summary>
    public static (int[] Weights, int[] Arch) Split(int[] indices, double fraction, int seed)
    {
        var order = DatasetSplit.EpochOrder(indices, seed, -1);
        int keep = fraction >= 1 ? order.Length : Math.Max(2, (int)Math.Round(order.Length * fraction));
        int half = keep / 2;
        var w = order.AsSpan(0, half).ToArray();
        var a = order.AsSpan(half, keep - half).ToArray();
        Array.Sort(w);
        Array.Sort(a);
        return (w, a);
    }

    private static (IArchitecture, double) Evolve(Supernet net, IMutableSpace space, BatchLoader weightLoader, BatchLoader archLoader,
        OneShotSettings s, int seed, SearchContext context, out RankCheckResult? rankCheck)
    {
        rankCheck = null;
        var shape = weightLoader.Shape;
        List<(Tensor, Tensor)> Take(BatchLoader loader, int n) => loader.Epoch(1_000_000).Take(n)
            .Select(b => (torch.tensor(b.Images, [b.Count, shape.Channels, shape.Height, shape.Width]), torch.tensor(b.Labels))).ToList();
        var bn = Take(weightLoader, s.SposBnBatches);
        var eval = Take(archLoader, s.SposEvalBatches);
        try
        {
            var evo = new SposEvolution(net, space, bn, eval) { Predictor = context.Latency, BudgetMs = s.LatencyTarget };
            var result = evo.Run(s.SposPopulation, s.SposGenerations, new Random(seed), context.Cancellation);
            Csv.Write(Path.Combine(context.OutputDir, "spos_log.csv"), evo.Log);
            rankCheck = SposRankCheck.RunIfAsked(new SposEvolution(net, space, bn, eval), context, seed);
            if (evo.Rejected > 0)
                context.Log.Info($"spos: {evo.Rejected} candidates rejected before scoring, predicted over latency_target {s.LatencyTarget} ms");
            return result;
        }
        finally
        {
            foreach (var (x, y) in bn.Concat(eval)) { x.Dispose(); y.Dispose(); }
        }
    }

    /// <summary>search_log.csv (a row per epoch) and alphas.csv (softmax weight per epoch, group, edge and op).</summary>
    private static void WriteLogs(string dir, OneShotProgress progress, ArchParameters arch)
    {
        Csv.Write(Path.Combine(dir, "search_log.csv"), progress.History);
        var rows = new List<IReadOnlyList<string>>();
        for (int e = 0; e < progress.Snapshots.Count; e++)
        {
            var snap = progress.Snapshots[e];
            foreach (var g in arch.Alphas)
            {
                var probs = OneShotDerivation.Probabilities(snap, g.Name);
                for (int r = 0; r < g.Rows.Count; r++)
                    for (int o = 0; o < g.Choices.Count; o++)
                        rows.Add([(e + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), g.Name, g.Rows[r], g.Choices[o], Csv.Format(probs[r][o])]);
            }
            foreach (var b in arch.Betas)
                if (snap.Betas.TryGetValue(b.Name, out var betas))
                    for (int r = 0; r < b.Rows.Count; r++)
                        rows.Add([(e + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), b.Name, b.Rows[r], "beta_logit", Csv.Format(betas[r])]);
        }
        Csv.WriteTable(Path.Combine(dir, "alphas.csv"), ["epoch", "group", "edge", "op", "weight"], rows);
        AtomicWrite.Text(Path.Combine(dir, "alphas.svg"), AlphaPlot.Svg(progress.Snapshots, arch));
    }
}
